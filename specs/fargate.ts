/**
 * The task sizes Fargate accepts. AWS answers any other pair with
 * `ClientException: No Fargate configuration exists for given values`, so the spec refuses them up front.
 */

/** Task CPU units Fargate accepts. */
export const FARGATE_CPU_UNITS = [256, 512, 1024, 2048, 4096, 8192, 16384] as const;

export type FargateCpu = (typeof FARGATE_CPU_UNITS)[number];

const GIB = 1024;

function range(fromGiB: number, toGiB: number, stepGiB: number): number[] {
  const sizes: number[] = [];
  for (let gib = fromGiB; gib <= toGiB; gib += stepGiB) sizes.push(gib * GIB);
  return sizes;
}

const MEMORY_BY_CPU: Record<FargateCpu, readonly number[]> = {
  256: [512, 1024, 2048],
  512: range(1, 4, 1),
  1024: range(2, 8, 1),
  2048: range(4, 16, 1),
  4096: range(8, 30, 1),
  8192: range(16, 60, 4),
  16384: range(32, 120, 8),
};

/** The memory sizes (MiB) Fargate allows for a task CPU value. */
export function fargateMemoryFor(cpu: FargateCpu): readonly number[] {
  return MEMORY_BY_CPU[cpu];
}

/** Describes the allowed memory for a CPU value, e.g. "2048-8192 MiB in 1024 MiB steps". */
export function describeFargateMemory(cpu: FargateCpu): string {
  const sizes = MEMORY_BY_CPU[cpu];
  const first = sizes[0] ?? 0;
  const last = sizes[sizes.length - 1] ?? 0;
  if (sizes.length <= 3) return sizes.join(", ");
  const step = (sizes[1] ?? first) - first;
  return `${first}-${last} MiB in ${step} MiB steps`;
}
