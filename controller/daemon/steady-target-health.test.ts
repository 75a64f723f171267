/**
 * When a steady service's last target health read stands in for a new one: only while ECS shows
 * nothing moved (counts, deployments, events), every target was healthy, and the read is younger than
 * the slow tier or the fleet's slow reads are at their pace.
 */
import { describe, expect, it } from "vitest";
import { AwsRateLimiter } from "../aws/rate-limiter.ts";
import { SlowReadPace } from "../inventory/slow-read-pace.ts";
import type { ObservedService } from "../resources/service/service.ts";
import { steadyTargetHealth, targetHealthRead } from "./steady-target-health.ts";

const ARN = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web-0a1b2c3d/1";
const SLOW_MS = 600_000;

function service(overrides: Partial<ObservedService> = {}): ObservedService {
  return {
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    deployments: [{ id: "ecs-svc/1", rolloutState: "COMPLETED", runningCount: 2 }],
    events: [{ id: "event-2", message: "(service web) has reached a steady state." }, { id: "event-1" }],
    ...overrides,
  } as ObservedService;
}

const healthy = (observed = service()) => targetHealthRead(ARN, { healthy: 2 }, observed, 0);
const at = (nowMs: number, pace?: SlowReadPace) => ({ nowMs, slowResyncMs: SLOW_MS, pace });

/** A pace that has used its share: it defers every refresh. */
function spentPace(): SlowReadPace {
  const limiter = new AwsRateLimiter({
    settings: { scale: 1 },
    clock: { now: () => 0, sleep: () => Promise.resolve() },
    bucketsFor: () => [{ name: "reads", burst: 2, perSecond: 1, source: "test", verified: false }],
  });
  const pace = new SlowReadPace(limiter, "us-east-1", { share: 0.5, now: () => 0 });
  pace.mayRefresh("elbv2", "DescribeTargetHealth");
  return pace;
}

describe("steadyTargetHealth", () => {
  it("stands while the service is steady, every target healthy and no event since, within the slow tier", () => {
    expect(steadyTargetHealth(healthy(), service(), ARN, at(SLOW_MS - 1))).toEqual({ healthy: 2 });
  });

  it("is read again once ECS writes an event, whatever the counts say (a task replaced between passes)", () => {
    const replaced = service({
      events: [{ id: "event-3", message: "(service web) has started 1 tasks." }, { id: "event-2" }],
    });
    expect(steadyTargetHealth(healthy(), replaced, ARN, at(1_000))).toBeUndefined();
  });

  it("is read again while the service is not steady, or when the last read was not all healthy", () => {
    expect(steadyTargetHealth(healthy(), service({ runningCount: 1 }), ARN, at(1_000))).toBeUndefined();
    const rolling = service({
      deployments: [
        { id: "ecs-svc/2", rolloutState: "IN_PROGRESS" },
        { id: "ecs-svc/1", rolloutState: "COMPLETED" },
      ],
    });
    expect(steadyTargetHealth(healthy(), rolling, ARN, at(1_000))).toBeUndefined();
    const draining = targetHealthRead(ARN, { healthy: 2, draining: 1 }, service(), 0);
    expect(steadyTargetHealth(draining, service(), ARN, at(1_000))).toBeUndefined();
    expect(steadyTargetHealth(healthy(), service({ desiredCount: 3, runningCount: 3 }), ARN, at(1_000))).toBe(
      undefined,
    );
    expect(steadyTargetHealth(healthy(), service(), `${ARN}0`, at(1_000))).toBeUndefined();
    expect(steadyTargetHealth(undefined, service(), ARN, at(1_000))).toBeUndefined();
  });

  it("is read again once older than the slow tier, unless the fleet's slow reads are at their pace", () => {
    expect(steadyTargetHealth(healthy(), service(), ARN, at(SLOW_MS))).toBeUndefined();
    expect(steadyTargetHealth(healthy(), service(), ARN, at(SLOW_MS, spentPace()))).toEqual({ healthy: 2 });
    const unlimited = new SlowReadPace(undefined, "us-east-1");
    expect(steadyTargetHealth(healthy(), service(), ARN, at(SLOW_MS, unlimited))).toBeUndefined();
  });
});
