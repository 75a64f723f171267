import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { MemoryRelease } from "./memory-release.ts";

const MiB = 2 ** 20;

/** A process whose size the test sets, a clock it moves, and a GC that brings the size down. */
function fakeProcess(startMB: number) {
  const state = { rssMB: startMB, now: 0, collections: 0, afterCollectMB: startMB };
  const release = new MemoryRelease({
    growthBytes: 20 * MiB,
    minIntervalMs: 60_000,
    rss: () => state.rssMB * MiB,
    now: () => state.now,
    collect: () => {
      state.collections += 1;
      state.rssMB = state.afterCollectMB;
    },
  });
  return { state, release };
}

describe("handing unused memory back", () => {
  it("collects only once the process has grown enough past its size after the last release", () => {
    const { state, release } = fakeProcess(150);
    state.rssMB = 169;
    release.check();
    expect(state.collections).toBe(0);
    state.rssMB = 175;
    state.afterCollectMB = 160;
    release.check();
    expect(state.collections).toBe(1);
    // Growth is now measured from 160 MB, what the process held once V8 let go.
    state.now += 120_000;
    state.rssMB = 178;
    release.check();
    expect(state.collections).toBe(1);
    state.rssMB = 181;
    release.check();
    expect(state.collections).toBe(2);
  });

  it("waits at least the minimum interval between two releases", () => {
    const { state, release } = fakeProcess(150);
    state.afterCollectMB = 150;
    state.rssMB = 200;
    release.check();
    state.rssMB = 200;
    state.now += 59_999;
    release.check();
    expect(state.collections).toBe(1);
    state.now += 1;
    release.check();
    expect(state.collections).toBe(2);
  });

  it("returns the pages a burst left resident to the system", () => {
    // In a process of its own: a burst of 60 MB, freed, then steady churn; V8 keeps the pages it grew into.
    const script = `
      const { lastResortGc } = await import(${JSON.stringify(new URL("./memory-release.ts", import.meta.url).href)});
      const make = (tag) => new Array(10000).fill(0).map((_, j) => ({ j, s: tag + j }));
      const live = Array.from({ length: 30 }, () => make("x"));
      let burst = Array.from({ length: 60 }, () => make("b"));
      burst = null;
      for (let round = 0; round < 200; round++) live[round % 30] = make("y");
      const before = process.memoryUsage.rss();
      lastResortGc()();
      console.log(JSON.stringify({ before, after: process.memoryUsage.rss(), kept: live.length }));
    `;
    const child = spawnSync(
      process.execPath,
      ["--max-semi-space-size=1", "--input-type=module", "-e", script],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(child.stderr).toBe("");
    const { before, after } = JSON.parse(child.stdout) as { before: number; after: number };
    expect(before - after).toBeGreaterThan(20 * MiB);
  });
});
