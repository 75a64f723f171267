import {
  DeleteScalingPolicyCommand,
  DescribeScalingPoliciesCommand,
  ObjectNotFoundException,
  PutScalingPolicyCommand,
  type PutScalingPolicyCommandInput,
  RegisterScalableTargetCommand,
  ValidationException,
} from "@aws-sdk/client-application-auto-scaling";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../../server.ts";
import { startTestEmulator, type TestClients } from "../../test-clients.ts";
import { installFakeEcs } from "./fake-ecs.ts";

const WEB = "service/prod/web";
const ALARM_ARN =
  /^arn:aws:cloudwatch:us-east-1:000000000000:alarm:TargetTracking-service\/prod\/web-Alarm(High|Low)-[0-9a-f-]{36}$/;
const cpuPolicy = (overrides: Partial<PutScalingPolicyCommandInput> = {}) =>
  new PutScalingPolicyCommand({
    PolicyName: "web-cpu",
    ServiceNamespace: "ecs",
    ResourceId: WEB,
    ScalableDimension: "ecs:service:DesiredCount",
    PolicyType: "TargetTrackingScaling",
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: 50,
      PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
      ScaleInCooldown: 120,
      ScaleOutCooldown: 60,
    },
    ...overrides,
  });
const describeWeb = async () =>
  (
    await clients.autoscaling.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", ResourceId: WEB }),
    )
  ).ScalingPolicies;

let emulator: Emulator;
let clients: TestClients;
const { fake, restore } = installFakeEcs();

beforeEach(async () => {
  if (!emulator) ({ emulator, clients } = await startTestEmulator());
  emulator.reset();
  fake.services.clear();
  fake.add(WEB, 2);
  await clients.autoscaling.send(
    new RegisterScalableTargetCommand({
      ServiceNamespace: "ecs",
      ResourceId: WEB,
      ScalableDimension: "ecs:service:DesiredCount",
      MinCapacity: 1,
      MaxCapacity: 10,
    }),
  );
});
afterAll(async () => {
  restore();
  await emulator?.close();
});

describe("PutScalingPolicy", () => {
  it("creates a target tracking policy with its two CloudWatch alarms", async () => {
    const { PolicyARN, Alarms } = await clients.autoscaling.send(cpuPolicy());
    expect(PolicyARN).toMatch(
      /^arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:[0-9a-f-]{36}:resource\/ecs\/service\/prod\/web:policyName\/web-cpu$/,
    );
    expect(Alarms?.map((alarm) => alarm.AlarmName)).toEqual([
      expect.stringMatching(/^TargetTracking-service\/prod\/web-AlarmHigh-/),
      expect.stringMatching(/^TargetTracking-service\/prod\/web-AlarmLow-/),
    ]);
    for (const alarm of Alarms ?? []) expect(alarm.AlarmARN).toMatch(ALARM_ARN);
    expect(await describeWeb()).toEqual([
      {
        PolicyARN,
        PolicyName: "web-cpu",
        ServiceNamespace: "ecs",
        ResourceId: WEB,
        ScalableDimension: "ecs:service:DesiredCount",
        PolicyType: "TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 50,
          PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
          ScaleInCooldown: 120,
          ScaleOutCooldown: 60,
        },
        Alarms,
        CreationTime: new Date(emulator.world.time),
      },
    ]);
  });

  it("updates a policy of the same name in place: same ARN and alarms, new configuration", async () => {
    const created = await clients.autoscaling.send(cpuPolicy());
    emulator.advance(60_000);
    const updated = await clients.autoscaling.send(
      cpuPolicy({
        PolicyType: undefined,
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 70,
          PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageMemoryUtilization" },
          DisableScaleIn: true,
        },
      }),
    );
    expect(updated).toMatchObject({ PolicyARN: created.PolicyARN, Alarms: created.Alarms });
    const [policy] = (await describeWeb()) ?? [];
    expect(policy?.CreationTime).toEqual(new Date(emulator.world.time - 60_000));
    expect(policy?.TargetTrackingScalingPolicyConfiguration).toEqual({
      TargetValue: 70,
      PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageMemoryUtilization" },
      DisableScaleIn: true,
    });
  });

  it("without a scalable target is ObjectNotFoundException, worded like AWS", async () => {
    fake.add("service/prod/other", 1);
    const put = clients.autoscaling.send(cpuPolicy({ ResourceId: "service/prod/other" }));
    await expect(put).rejects.toBeInstanceOf(ObjectNotFoundException);
    await expect(put).rejects.toThrow(
      "No scalable target registered for service namespace: ecs, resource ID: service/prod/other, scalable dimension: ecs:service:DesiredCount",
    );
  });

  it.each([
    ["a new policy without PolicyType", cpuPolicy({ PolicyType: undefined })],
    ["step scaling (not emulated)", cpuPolicy({ PolicyType: "StepScaling" })],
    ["no configuration", cpuPolicy({ TargetTrackingScalingPolicyConfiguration: undefined })],
    [
      "a metric ECS does not have",
      cpuPolicy({
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 50,
          PredefinedMetricSpecification: { PredefinedMetricType: "DynamoDBReadCapacityUtilization" },
        },
      }),
    ],
    [
      "a target value outside AWS's range",
      cpuPolicy({
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 0,
          PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
        },
      }),
    ],
    [
      "a negative cooldown",
      cpuPolicy({
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 50,
          PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
          ScaleInCooldown: -1,
        },
      }),
    ],
    ["no metric", cpuPolicy({ TargetTrackingScalingPolicyConfiguration: { TargetValue: 50 } })],
  ])("refuses %s with ValidationException", async (_reason, command) => {
    await expect(clients.autoscaling.send(command)).rejects.toBeInstanceOf(ValidationException);
    expect(await describeWeb()).toEqual([]);
  });
});

describe("DescribeScalingPolicies", () => {
  it("pages ten at a time, filters by name, and refuses MaxResults above 10", async () => {
    for (let index = 0; index < 12; index++) {
      await clients.autoscaling.send(cpuPolicy({ PolicyName: `p${String(index).padStart(2, "0")}` }));
    }
    const first = await clients.autoscaling.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs" }),
    );
    expect(first.ScalingPolicies).toHaveLength(10);
    const second = await clients.autoscaling.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", NextToken: first.NextToken }),
    );
    expect(second.ScalingPolicies?.map((policy) => policy.PolicyName)).toEqual(["p10", "p11"]);
    const named = await clients.autoscaling.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", PolicyNames: ["p03", "nope"] }),
    );
    expect(named.ScalingPolicies?.map((policy) => policy.PolicyName)).toEqual(["p03"]);
    await expect(
      clients.autoscaling.send(
        new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", MaxResults: 11 }),
      ),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it("refuses a dimension without a resource id", async () => {
    await expect(
      clients.autoscaling.send(
        new DescribeScalingPoliciesCommand({
          ServiceNamespace: "ecs",
          ScalableDimension: "ecs:service:DesiredCount",
        }),
      ),
    ).rejects.toBeInstanceOf(ValidationException);
  });
});

describe("DeleteScalingPolicy", () => {
  it("deletes a policy; deleting it again is ObjectNotFoundException", async () => {
    await clients.autoscaling.send(cpuPolicy());
    const remove = new DeleteScalingPolicyCommand({
      PolicyName: "web-cpu",
      ServiceNamespace: "ecs",
      ResourceId: WEB,
      ScalableDimension: "ecs:service:DesiredCount",
    });
    await clients.autoscaling.send(remove);
    expect(await describeWeb()).toEqual([]);
    await expect(clients.autoscaling.send(remove)).rejects.toBeInstanceOf(ObjectNotFoundException);
  });
});
