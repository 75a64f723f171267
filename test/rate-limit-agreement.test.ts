/**
 * The client-side limiter's table of AWS's throttling (controller/aws/aws-rate-limits.ts) and the
 * emulator's `aws` preset (emulator/rate-limit-presets.ts) carry the same published figures twice:
 * controller and emulator share no code, so that a bug in one cannot hide in the other. This test
 * keeps them in agreement for every operation the controller calls. It reads the emulator's limits as
 * a caller meets them: how many calls pass at once (the burst), and how many more a second later (the
 * refill). An operation the controller's table marks unverified (AWS publishes no figure) must be
 * unlimited in the emulator, which never guesses.
 */
import { describe, expect, it } from "vitest";
import { documentedBuckets, type LimitedService } from "../controller/aws/aws-rate-limits.ts";
import { CONTROLLER_ACTIONS } from "../controller/aws/iam-policy.ts";
import { InjectedFaults } from "../emulator/faults.ts";

/** IAM's service prefixes as the limiter and the emulator name the APIs. */
const SERVICES: Record<string, LimitedService> = {
  ec2: "ec2",
  elasticloadbalancing: "elbv2",
  ecs: "ecs",
  "application-autoscaling": "autoscaling",
  logs: "logs",
  dynamodb: "dynamodb",
};
/** Past every burst AWS documents: a call that still passes is not limited. */
const PROBE_CALLS = 3_000;

/** What the emulator lets through, for one operation on its own: at once, then one second later. */
function emulatorLimit(service: LimitedService, operation: string) {
  const clock = { now: 0 };
  const faults = new InjectedFaults({ preset: "aws" }, () => clock.now);
  const passing = () => {
    let passed = 0;
    while (passed < PROBE_CALLS && faults.decide(service, operation) === undefined) passed += 1;
    return passed;
  };
  const burst = passing();
  clock.now = 1_000;
  return { burst, perSecond: passing() };
}

/** What the controller's table says AWS allows: the smallest bucket the call draws from. */
function documentedLimit(service: LimitedService, operation: string) {
  const buckets = documentedBuckets(service, operation);
  if (buckets.length === 0 || buckets.some((bucket) => !bucket.verified)) return undefined;
  return {
    burst: Math.min(...buckets.map((bucket) => bucket.burst)),
    perSecond: Math.min(...buckets.map((bucket) => Math.floor(bucket.perSecond))),
  };
}

const operations = Object.entries(CONTROLLER_ACTIONS).flatMap(([prefix, actions]) => {
  const service = SERVICES[prefix];
  return service ? actions.map((operation) => [service, operation] as const) : [];
});

describe("AWS's rate limits, as the controller and the emulator know them", () => {
  it("covers the APIs the controller calls", () => {
    expect(new Set(operations.map(([service]) => service))).toEqual(new Set(Object.values(SERVICES)));
  });

  it.each(operations)("%s:%s is limited alike", (service, operation) => {
    const documented = documentedLimit(service, operation);
    const emulated = emulatorLimit(service, operation);
    if (documented === undefined) expect(emulated).toEqual({ burst: PROBE_CALLS, perSecond: PROBE_CALLS });
    else expect(emulated).toEqual(documented);
  });
});
