/** Fargate's task sizes: the cpu/memory pairs it accepts, and the units task definitions write them in. */

const range = (from: number, to: number, step: number): number[] => {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
};

/** Memory (MiB) allowed for each task cpu (units of 1/1024 vCPU). */
const MEMORY_BY_CPU = new Map<number, readonly number[]>([
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
]);

/** `"256"`, `"0.25 vCPU"`, `"1 vcpu"` → 256, 256, 1024; undefined when unreadable. */
export function cpuUnits(value: string): number | undefined {
  const match = value.trim().match(/^(\d+(?:\.\d+)?)\s*(vcpu)?$/i);
  if (!match) return undefined;
  const number = Number(match[1]);
  const units = match[2] ? number * 1024 : number;
  return Number.isInteger(units) && units > 0 ? units : undefined;
}

/** `"512"`, `"0.5 GB"`, `"2GB"` → MiB; undefined when unreadable. */
export function memoryMiB(value: string): number | undefined {
  const match = value.trim().match(/^(\d+(?:\.\d+)?)\s*(gb)?$/i);
  if (!match) return undefined;
  const number = Number(match[1]);
  const mib = match[2] ? number * 1024 : number;
  return Number.isInteger(mib) && mib > 0 ? mib : undefined;
}

/** Whether Fargate offers a task of `cpu` units and `memory` MiB. */
export function isFargateSize(cpu: number, memory: number): boolean {
  return MEMORY_BY_CPU.get(cpu)?.includes(memory) ?? false;
}
