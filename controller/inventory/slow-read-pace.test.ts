/**
 * The slow tier's pace: its refreshes take at most their share of each client-side limit they draw
 * from, and never wait; without a limiter (the emulator by default) every due refresh is made.
 */
import { describe, expect, it } from "vitest";
import { AwsRateLimiter } from "../aws/rate-limiter.ts";
import { SlowReadPace } from "./slow-read-pace.ts";

/** A limiter on a clock the test moves, with one bucket of 10 tokens refilled at 2 a second. */
function limiterAt(clock: { now: number }) {
  return new AwsRateLimiter({
    settings: { scale: 1 },
    clock: { now: () => clock.now, sleep: () => Promise.resolve() },
    bucketsFor: () => [{ name: "reads", burst: 10, perSecond: 2, source: "test", verified: false }],
  });
}

const refreshesAllowed = (pace: SlowReadPace, tries: number) =>
  Array.from({ length: tries }, () => pace.mayRefresh("elbv2", "DescribeTargetHealth")).filter(Boolean)
    .length;

describe("SlowReadPace", () => {
  it("allows refreshes up to its share of the bucket, then at its share of the rate", () => {
    const clock = { now: 0 };
    const told: string[] = [];
    const pace = new SlowReadPace(limiterAt(clock), "us-east-1", {
      share: 0.5,
      now: () => clock.now,
      onDeferred: (service, operation) => told.push(`${service}:${operation}`),
    });
    expect(refreshesAllowed(pace, 20)).toBe(5);
    expect(new Set(told)).toEqual(new Set(["elbv2:DescribeTargetHealth"]));
    expect(told).toHaveLength(15);
    clock.now = 1_000;
    expect(refreshesAllowed(pace, 20)).toBe(1);
    clock.now = 11_000;
    expect(refreshesAllowed(pace, 20)).toBe(5);
  });

  it("counts what the calls themselves take apart: a busy limiter does not stop the slow tier's share", async () => {
    const clock = { now: 0 };
    const limiter = limiterAt(clock);
    const pace = new SlowReadPace(limiter, "us-east-1", { share: 0.5, now: () => clock.now });
    for (let call = 0; call < 10; call += 1) await limiter.acquire("elbv2", "DescribeListeners", "us-east-1");
    expect(refreshesAllowed(pace, 10)).toBe(5);
  });

  it("allows every refresh without a limiter, or with limits turned off", () => {
    expect(refreshesAllowed(new SlowReadPace(undefined, "us-east-1"), 100)).toBe(100);
    const off = new AwsRateLimiter({ settings: { scale: 0 } });
    expect(refreshesAllowed(new SlowReadPace(off, "us-east-1"), 100)).toBe(100);
  });

  it("starts again from full when the limiter is given new limits", () => {
    const clock = { now: 0 };
    const limiter = limiterAt(clock);
    const pace = new SlowReadPace(limiter, "us-east-1", { share: 0.5, now: () => clock.now });
    expect(refreshesAllowed(pace, 20)).toBe(5);
    limiter.configure({ scale: 2 });
    expect(refreshesAllowed(pace, 20)).toBe(10);
  });
});
