import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { DAEMON_HEAP_GROWING_PERCENT, limitHeapGrowth } from "./heap-growth.ts";

const MODULE = new URL("./heap-growth.ts", import.meta.url).href;

describe("the daemon's heap growth", () => {
  const flagsSetWith = (execArgv: string[]) => {
    const set: string[] = [];
    limitHeapGrowth(execArgv, (flags) => set.push(flags));
    return set;
  };

  it("is limited by default", () => {
    expect(flagsSetWith([])).toEqual([`--heap-growing-percent=${DAEMON_HEAP_GROWING_PERCENT}`]);
    expect(flagsSetWith(["--max-semi-space-size=1"])).toHaveLength(1);
  });

  it("is the operator's when node was started with its own", () => {
    expect(flagsSetWith(["--heap-growing-percent=50"])).toEqual([]);
    expect(flagsSetWith(["--heap_growing_percent=50"])).toEqual([]);
  });

  it("is a flag V8 accepts", () => {
    // V8 reports a flag it does not know on stderr and goes on without it: run the real setter alone.
    const child = spawnSync(
      process.execPath,
      ["--input-type=module", "-e", `(await import(${JSON.stringify(MODULE)})).limitHeapGrowth([]);`],
      { encoding: "utf8", timeout: 30_000 },
    );
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
  });
});
