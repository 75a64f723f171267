import { describe, expect, it } from "vitest";
import { describeFargateMemory, fargateMemoryFor } from "./fargate.ts";

describe("Fargate task sizes", () => {
  it.each([
    [256, [512, 1024, 2048]],
    [512, [1024, 2048, 3072, 4096]],
  ] as const)("cpu %i allows exactly %j", (cpu, memory) => {
    expect(fargateMemoryFor(cpu)).toEqual(memory);
  });

  it.each([
    [1024, 2048, 8192, 7],
    [2048, 4096, 16384, 13],
    [4096, 8192, 30720, 23],
    [8192, 16384, 61440, 12],
    [16384, 32768, 122880, 12],
  ] as const)("cpu %i allows %i to %i MiB in %i sizes", (cpu, first, last, count) => {
    const sizes = fargateMemoryFor(cpu);
    expect([sizes[0], sizes.at(-1), sizes.length]).toEqual([first, last, count]);
  });

  it("describes a range in words", () => {
    expect(describeFargateMemory(8192)).toBe("16384-61440 MiB in 4096 MiB steps");
    expect(describeFargateMemory(256)).toBe("512, 1024, 2048");
  });
});
