/** Catching up: in full on a manual clock, in bounded slices of real time when time moves by itself. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { type Clock, ManualClock } from "./clock.ts";
import { CATCH_UP_BUDGET_MS, TICK_MS, World } from "./world.ts";

/** A clock that moves by itself only when told: an automatic clock without real time in it. */
class SteppedAutomaticClock implements Clock {
  readonly automatic = true;
  #now = 0;
  now(): number {
    return this.#now;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

/** Makes every tick look as if it took `ms` of real time. */
function ticksTake(world: World, ms: number): void {
  let realNow = 0;
  vi.spyOn(performance, "now").mockImplementation(() => realNow);
  world.addLifecycle(() => {
    realNow += ms;
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("World.catchUp", () => {
  it("plays every tick up to the clock on a manual clock, however long it takes", () => {
    const world = new World({ clock: new ManualClock(0) });
    world.region("us-east-1");
    ticksTake(world, CATCH_UP_BUDGET_MS);
    world.clock.advance(60 * TICK_MS);
    expect(world.catchUp()).toBe(true);
    expect(world.time).toBe(60 * TICK_MS);
  });

  it("stops after its budget of real time when time moves by itself, and goes on at the next call", () => {
    const world = new World({ clock: new SteppedAutomaticClock() });
    world.region("us-east-1");
    ticksTake(world, CATCH_UP_BUDGET_MS / 4);
    world.clock.advance(60 * TICK_MS);
    expect(world.catchUp()).toBe(false);
    expect(world.time).toBeGreaterThan(0);
    expect(world.time).toBeLessThan(60 * TICK_MS);
    let calls = 1;
    while (!world.catchUp()) calls++;
    expect(world.time).toBe(60 * TICK_MS);
    expect(calls).toBeGreaterThan(1);
  });

  it("catches up in full when told to, whatever the clock", () => {
    const world = new World({ clock: new SteppedAutomaticClock() });
    world.region("us-east-1");
    ticksTake(world, CATCH_UP_BUDGET_MS);
    world.clock.advance(60 * TICK_MS);
    expect(world.catchUp(Number.POSITIVE_INFINITY)).toBe(true);
    expect(world.time).toBe(60 * TICK_MS);
  });
});
