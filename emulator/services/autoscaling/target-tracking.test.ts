/**
 * Target tracking that acts: the lifecycle scales a (fake) ECS service on its CPU. Times follow the
 * defaults: a datapoint a minute, scale out after 3 datapoints above the target, scale in after 15 below
 * 90 % of it, 300 s cooldowns unless the policy sets its own. Every step is the manual clock's.
 */
import {
  DescribeScalingActivitiesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  type TargetTrackingScalingPolicyConfiguration,
} from "@aws-sdk/client-application-auto-scaling";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../../server.ts";
import { startTestEmulator, type TestClients } from "../../test-clients.ts";
import { installFakeEcs } from "./fake-ecs.ts";

const WEB = "service/prod/web";
const MINUTE = 60_000;

let emulator: Emulator;
let clients: TestClients;
let start: number;
const { fake, restore } = installFakeEcs();

/** Advances the clock to `minutes` (and `seconds`) after the policy was created. */
const at = (minutes: number, seconds = 0) =>
  emulator.advance(start + minutes * MINUTE + seconds * 1000 - emulator.world.time);
const desired = () => fake.desiredCount(WEB);

async function scaleWeb(
  { min = 1, max = 10, suspended = {} }: { min?: number; max?: number; suspended?: Record<string, boolean> },
  ...configurations: Partial<TargetTrackingScalingPolicyConfiguration>[]
) {
  await clients.autoscaling.send(
    new RegisterScalableTargetCommand({
      ServiceNamespace: "ecs",
      ResourceId: WEB,
      ScalableDimension: "ecs:service:DesiredCount",
      MinCapacity: min,
      MaxCapacity: max,
      SuspendedState: suspended,
    }),
  );
  // One CPU policy targeting 50 % unless the test describes its own.
  for (const [index, configuration] of (configurations.length > 0 ? configurations : [{}]).entries()) {
    await clients.autoscaling.send(
      new PutScalingPolicyCommand({
        PolicyName: index === 0 ? "web-cpu" : `web-${index}`,
        ServiceNamespace: "ecs",
        ResourceId: WEB,
        ScalableDimension: "ecs:service:DesiredCount",
        PolicyType: "TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 50,
          PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
          ...configuration,
        },
      }),
    );
  }
  start = emulator.world.time;
}

beforeEach(async () => {
  if (!emulator) ({ emulator, clients } = await startTestEmulator());
  emulator.reset();
  fake.services.clear();
});
afterAll(async () => {
  restore();
  await emulator?.close();
});

describe("scaling out", () => {
  it("scales out proportionally once the metric has stayed above the target for three datapoints", async () => {
    fake.add(WEB, 2, 90);
    await scaleWeb({});
    at(2, 59);
    expect(desired()).toBe(2);
    at(3);
    expect(desired()).toBe(4); // ceil(2 × 90 / 50)
    const { ScalingActivities } = await clients.autoscaling.send(
      new DescribeScalingActivitiesCommand({ ServiceNamespace: "ecs", ResourceId: WEB }),
    );
    expect(ScalingActivities?.[0]).toMatchObject({
      Description: "Setting desired count to 4.",
      Cause: expect.stringMatching(
        /^monitor alarm TargetTracking-service\/prod\/web-AlarmHigh-[0-9a-f-]{36} in state ALARM triggered policy web-cpu$/,
      ),
      StatusCode: "Successful",
      StartTime: new Date(start + 3 * MINUTE),
    });
  });

  it("adds at least one task, and never goes above max", async () => {
    fake.add(WEB, 3, 51);
    await scaleWeb({ max: 5 }, { ScaleOutCooldown: 0 });
    at(3);
    expect(desired()).toBe(4); // ceil(3 × 51 / 50) = 4: one more
    fake.setCpu(WEB, 400);
    at(10);
    expect(desired()).toBe(5);
  });

  it("ignores a single spike", async () => {
    fake.add(WEB, 2, 95);
    await scaleWeb({});
    at(1);
    fake.setCpu(WEB, 40);
    at(30);
    expect(desired()).toBe(2);
  });

  it("waits out the scale-out cooldown before scaling out again at the same load", async () => {
    fake.add(WEB, 2, 90);
    await scaleWeb({});
    at(3);
    expect(desired()).toBe(4);
    at(7, 59);
    expect(desired()).toBe(4); // cooldown: 300 s from minute 3
    at(8);
    expect(desired()).toBe(8); // ceil(4 × 90 / 50)
  });

  it("scales out further within the cooldown when the load asks for more than the last scale-out gave", async () => {
    fake.add(WEB, 2, 90);
    await scaleWeb({});
    at(3);
    expect(desired()).toBe(4);
    fake.setCpu(WEB, 150);
    at(4);
    expect(desired()).toBe(6); // ceil(2 × 150 / 50): the capacity before the cooldown began
  });

  it("honours a policy's own cooldown", async () => {
    fake.add(WEB, 2, 90);
    await scaleWeb({}, { ScaleOutCooldown: 60 });
    at(3);
    at(4);
    expect(desired()).toBe(8);
  });
});

describe("scaling in", () => {
  it("scales in only after fifteen datapoints below 90 % of the target, then waits out the scale-in cooldown", async () => {
    fake.add(WEB, 4, 20);
    await scaleWeb({});
    at(14, 59);
    expect(desired()).toBe(4);
    at(15);
    expect(desired()).toBe(2); // ceil(4 × 20 / 50)
    at(19, 59);
    expect(desired()).toBe(2);
    at(20);
    expect(desired()).toBe(1); // ceil(2 × 20 / 50), and min is 1
    at(60);
    expect(desired()).toBe(1);
  });

  it("does not scale in just below the target", async () => {
    fake.add(WEB, 4, 46);
    await scaleWeb({});
    at(60);
    expect(desired()).toBe(4);
  });

  it("never goes below min", async () => {
    fake.add(WEB, 4, 5);
    await scaleWeb({ min: 3 });
    at(15);
    expect(desired()).toBe(3);
  });

  it("scales out at once during a scale-in cooldown", async () => {
    fake.add(WEB, 4, 20);
    await scaleWeb({});
    at(15);
    expect(desired()).toBe(2);
    fake.setCpu(WEB, 90);
    at(18);
    expect(desired()).toBe(4); // minute 18 < 15 + 5: the scale-in cooldown does not hold it back
  });

  it("leaves scale-in to others when DisableScaleIn is set", async () => {
    fake.add(WEB, 4, 5);
    await scaleWeb({}, { DisableScaleIn: true });
    at(60);
    expect(desired()).toBe(4);
  });

  it("scales in only when every policy agrees", async () => {
    fake.add(WEB, 4, 20);
    await scaleWeb({}, {}, { TargetValue: 21 });
    at(60);
    expect(desired()).toBe(4);
  });
});

describe("when target tracking stays still", () => {
  it("respects suspended dynamic scaling", async () => {
    fake.add(WEB, 2, 90);
    await scaleWeb({ suspended: { DynamicScalingOutSuspended: true } });
    at(30);
    expect(desired()).toBe(2);
  });

  it("has no data without running tasks", async () => {
    fake.add(WEB, 0, 90);
    await scaleWeb({ min: 0 });
    at(30);
    expect(desired()).toBe(0);
  });

  it("has no data for memory, which the emulator does not simulate", async () => {
    fake.add(WEB, 2, 90);
    await scaleWeb(
      {},
      { PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageMemoryUtilization" } },
    );
    at(30);
    expect(desired()).toBe(2);
  });

  it("skips a service that no longer exists", async () => {
    fake.add(WEB, 2, 90);
    await scaleWeb({});
    fake.services.delete(WEB);
    at(30);
    expect(emulator.world.region("us-east-1").autoscaling.activities).toEqual([]);
  });
});
