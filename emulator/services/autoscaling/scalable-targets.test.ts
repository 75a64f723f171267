import {
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  InvalidNextTokenException,
  ListTagsForResourceCommand,
  ObjectNotFoundException,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  type RegisterScalableTargetCommandInput,
  ResourceNotFoundException,
  TagResourceCommand,
  TooManyTagsException,
  UntagResourceCommand,
  ValidationException,
} from "@aws-sdk/client-application-auto-scaling";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../../server.ts";
import { startTestEmulator, type TestClients } from "../../test-clients.ts";
import { pruneActivities } from "./activities.ts";
import { scalingActivities } from "./control.ts";
import { installFakeEcs } from "./fake-ecs.ts";
import { removeScalingFor } from "./internal.ts";

const WEB = "service/prod/web";
const target = (overrides: Partial<RegisterScalableTargetCommandInput> = {}) =>
  new RegisterScalableTargetCommand({
    ServiceNamespace: "ecs",
    ResourceId: WEB,
    ScalableDimension: "ecs:service:DesiredCount",
    MinCapacity: 1,
    MaxCapacity: 4,
    ...overrides,
  });
const describeWeb = async () =>
  (
    await clients.autoscaling.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: [WEB] }),
    )
  ).ScalableTargets?.[0];

let emulator: Emulator;
let clients: TestClients;
const { fake, restore } = installFakeEcs();

beforeEach(async () => {
  if (!emulator) ({ emulator, clients } = await startTestEmulator());
  emulator.reset();
  fake.services.clear();
  fake.add(WEB, 2);
});
afterAll(async () => {
  restore();
  await emulator?.close();
});

describe("RegisterScalableTarget", () => {
  it("registers an ECS service's desired count with AWS's defaults", async () => {
    const { ScalableTargetARN } = await clients.autoscaling.send(target());
    expect(ScalableTargetARN).toMatch(
      /^arn:aws:application-autoscaling:us-east-1:000000000000:scalable-target\/[0-9a-f]{36}$/,
    );
    expect(await describeWeb()).toEqual({
      ServiceNamespace: "ecs",
      ResourceId: WEB,
      ScalableDimension: "ecs:service:DesiredCount",
      MinCapacity: 1,
      MaxCapacity: 4,
      RoleARN:
        "arn:aws:iam::000000000000:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
      CreationTime: new Date(emulator.world.time),
      SuspendedState: {
        DynamicScalingInSuspended: false,
        DynamicScalingOutSuspended: false,
        ScheduledScalingSuspended: false,
      },
      ScalableTargetARN,
    });
  });

  it("updates in place: fields left out keep their values, the ARN stays", async () => {
    const { ScalableTargetARN } = await clients.autoscaling.send(
      target({ SuspendedState: { DynamicScalingInSuspended: true } }),
    );
    const update = await clients.autoscaling.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: "ecs",
        ResourceId: WEB,
        ScalableDimension: "ecs:service:DesiredCount",
        MaxCapacity: 6,
      }),
    );
    expect(update.ScalableTargetARN).toBe(ScalableTargetARN);
    expect(await describeWeb()).toMatchObject({
      MinCapacity: 1,
      MaxCapacity: 6,
      SuspendedState: { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: false },
    });
  });

  it("clamps the service's desired count into [min, max] at once and records why", async () => {
    await clients.autoscaling.send(target({ MinCapacity: 3, MaxCapacity: 5 }));
    expect(fake.desiredCount(WEB)).toBe(3);
    await clients.autoscaling.send(target({ MinCapacity: 1, MaxCapacity: 2 }));
    expect(fake.desiredCount(WEB)).toBe(2);
    await clients.autoscaling.send(target({ MinCapacity: 1, MaxCapacity: 10 }));
    expect(fake.desiredCount(WEB)).toBe(2);
    const { ScalingActivities } = await clients.autoscaling.send(
      new DescribeScalingActivitiesCommand({ ServiceNamespace: "ecs", ResourceId: WEB }),
    );
    expect(ScalingActivities?.map((activity) => [activity.Description, activity.Cause])).toEqual([
      ["Setting desired count to 2.", "maximum capacity was set to 2"],
      ["Setting desired count to 3.", "minimum capacity was set to 3"],
    ]);
    expect(ScalingActivities?.[0]).toMatchObject({
      ActivityId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ServiceNamespace: "ecs",
      ResourceId: WEB,
      ScalableDimension: "ecs:service:DesiredCount",
      StartTime: new Date(emulator.world.time),
      EndTime: new Date(emulator.world.time),
      StatusCode: "Successful",
      StatusMessage: "Successfully set desired count to 2. Change successfully fulfilled by ecs.",
    });
  });

  it.each([
    ["min above max", target({ MinCapacity: 5, MaxCapacity: 2 })],
    ["a new target without MaxCapacity", target({ MaxCapacity: undefined })],
    ["a negative capacity", target({ MinCapacity: -1 })],
    ["another dimension", target({ ScalableDimension: "ecs:service:RunningCount" as never })],
    ["another namespace", target({ ServiceNamespace: "dynamodb" })],
    ["a namespace AWS does not know", target({ ServiceNamespace: "nope" as never })],
    ["a resource id that is not service/<cluster>/<service>", target({ ResourceId: "cluster/prod" })],
    ["an ECS service that does not exist", target({ ResourceId: "service/prod/missing" })],
  ])("refuses %s with ValidationException and changes nothing", async (_reason, command) => {
    await expect(clients.autoscaling.send(command)).rejects.toBeInstanceOf(ValidationException);
    expect(await describeWeb()).toBeUndefined();
    expect(fake.desiredCount(WEB)).toBe(2);
  });

  it("names the missing service like AWS does", async () => {
    await expect(clients.autoscaling.send(target({ ResourceId: "service/prod/missing" }))).rejects.toThrow(
      "ECS service doesn't exist: service/prod/missing",
    );
  });
});

describe("DescribeScalableTargets", () => {
  it("filters by resource ids and dimension, and pages with NextToken", async () => {
    for (const name of ["a", "b", "c"]) {
      fake.add(`service/prod/${name}`, 1);
      await clients.autoscaling.send(target({ ResourceId: `service/prod/${name}` }));
    }
    const all = (resourceIds?: string[], token?: string, max?: number) =>
      clients.autoscaling.send(
        new DescribeScalableTargetsCommand({
          ServiceNamespace: "ecs",
          ResourceIds: resourceIds,
          ScalableDimension: "ecs:service:DesiredCount",
          MaxResults: max,
          NextToken: token,
        }),
      );
    expect((await all(["service/prod/b"])).ScalableTargets?.map((t) => t.ResourceId)).toEqual([
      "service/prod/b",
    ]);
    const first = await all(undefined, undefined, 2);
    expect(first.ScalableTargets).toHaveLength(2);
    const second = await all(undefined, first.NextToken, 2);
    expect(second.ScalableTargets?.map((t) => t.ResourceId)).toEqual(["service/prod/c"]);
    expect(second.NextToken).toBeUndefined();
    const other = await clients.autoscaling.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: "dynamodb" }),
    );
    expect(other.ScalableTargets).toEqual([]);
  });

  it("refuses more than 50 resource ids, MaxResults beyond 50 and a forged NextToken", async () => {
    const ids = Array.from({ length: 51 }, (_, index) => `service/prod/s${index}`);
    await expect(
      clients.autoscaling.send(
        new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", ResourceIds: ids }),
      ),
    ).rejects.toBeInstanceOf(ValidationException);
    await expect(
      clients.autoscaling.send(
        new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", MaxResults: 51 }),
      ),
    ).rejects.toBeInstanceOf(ValidationException);
    await expect(
      clients.autoscaling.send(
        new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", NextToken: "99" }),
      ),
    ).rejects.toBeInstanceOf(InvalidNextTokenException);
  });
});

describe("DeregisterScalableTarget", () => {
  it("deletes the target with its policies; a second deregistration is ObjectNotFoundException", async () => {
    await clients.autoscaling.send(target());
    await clients.autoscaling.send(
      new PutScalingPolicyCommand({
        PolicyName: "web-cpu",
        ServiceNamespace: "ecs",
        ResourceId: WEB,
        ScalableDimension: "ecs:service:DesiredCount",
        PolicyType: "TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 50,
          PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
        },
      }),
    );
    const deregister = new DeregisterScalableTargetCommand({
      ServiceNamespace: "ecs",
      ResourceId: WEB,
      ScalableDimension: "ecs:service:DesiredCount",
    });
    await clients.autoscaling.send(deregister);
    expect(await describeWeb()).toBeUndefined();
    const { ScalingPolicies } = await clients.autoscaling.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", ResourceId: WEB }),
    );
    expect(ScalingPolicies).toEqual([]);
    await expect(clients.autoscaling.send(deregister)).rejects.toBeInstanceOf(ObjectNotFoundException);
  });

  it("removeScalingFor (ECS deleting a service) removes the target and policies, and ignores unknown ids", async () => {
    await clients.autoscaling.send(target());
    const region = emulator.world.region("us-east-1");
    removeScalingFor(region, "service/prod/other");
    expect(await describeWeb()).toBeDefined();
    removeScalingFor(region, WEB);
    expect(await describeWeb()).toBeUndefined();
  });
});

describe("tags", () => {
  it("tags at registration and through TagResource / UntagResource / ListTagsForResource", async () => {
    const { ScalableTargetARN: arn } = await clients.autoscaling.send(target({ Tags: { team: "web" } }));
    await clients.autoscaling.send(
      new TagResourceCommand({ ResourceARN: arn, Tags: { env: "prod", team: "core" } }),
    );
    await clients.autoscaling.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ["env"] }));
    const { Tags } = await clients.autoscaling.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
    expect(Tags).toEqual({ team: "core" });
  });

  it("refuses an unknown ARN and more than 50 tags", async () => {
    const { ScalableTargetARN: arn } = await clients.autoscaling.send(target());
    await expect(
      clients.autoscaling.send(new ListTagsForResourceCommand({ ResourceARN: `${arn}0` })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, "v"]));
    await expect(
      clients.autoscaling.send(new TagResourceCommand({ ResourceARN: arn, Tags: tags })),
    ).rejects.toBeInstanceOf(TooManyTagsException);
  });

  it("tags only scalable targets: a scaling policy's ARN is not a resource ARN it accepts", async () => {
    await clients.autoscaling.send(target());
    const { PolicyARN } = await clients.autoscaling.send(
      new PutScalingPolicyCommand({
        PolicyName: "cpu",
        ServiceNamespace: "ecs",
        ResourceId: WEB,
        ScalableDimension: "ecs:service:DesiredCount",
        PolicyType: "TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 50,
          PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
        },
      }),
    );
    await expect(
      clients.autoscaling.send(new TagResourceCommand({ ResourceARN: PolicyARN, Tags: { team: "web" } })),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it("drops a target's tags with it: registered again, it is a new target without them", async () => {
    const { ScalableTargetARN: first } = await clients.autoscaling.send(target({ Tags: { team: "web" } }));
    await clients.autoscaling.send(
      new DeregisterScalableTargetCommand({
        ServiceNamespace: "ecs",
        ResourceId: WEB,
        ScalableDimension: "ecs:service:DesiredCount",
      }),
    );
    const { ScalableTargetARN: second } = await clients.autoscaling.send(target());
    expect(second).not.toBe(first);
    const { Tags } = await clients.autoscaling.send(new ListTagsForResourceCommand({ ResourceARN: second }));
    expect(Tags).toEqual({});
    await expect(
      clients.autoscaling.send(new ListTagsForResourceCommand({ ResourceARN: first })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe("DescribeScalingActivities", () => {
  it("pages newest first, refuses MaxResults above 50, and forgets activities after six weeks", async () => {
    for (const min of [3, 4, 5]) await clients.autoscaling.send(target({ MinCapacity: min, MaxCapacity: 6 }));
    const page = (token?: string, max?: number) =>
      clients.autoscaling.send(
        new DescribeScalingActivitiesCommand({ ServiceNamespace: "ecs", MaxResults: max, NextToken: token }),
      );
    const first = await page(undefined, 2);
    expect(first.ScalingActivities?.map((activity) => activity.Description)).toEqual([
      "Setting desired count to 5.",
      "Setting desired count to 4.",
    ]);
    const second = await page(first.NextToken, 2);
    expect(second.ScalingActivities?.map((activity) => activity.Description)).toEqual([
      "Setting desired count to 3.",
    ]);
    await expect(page(undefined, 51)).rejects.toBeInstanceOf(ValidationException);
    const region = emulator.world.region("us-east-1");
    const sixWeeks = emulator.world.timings.scalingActivityRetentionMs;
    pruneActivities(region, emulator.world.time + sixWeeks, sixWeeks);
    expect(region.autoscaling.activities).toHaveLength(3);
    pruneActivities(region, emulator.world.time + sixWeeks + 1, sixWeeks);
    expect(region.autoscaling.activities).toEqual([]);
  });
});

describe("activities in the control API", () => {
  it("lists scaling activities across regions, newest first", async () => {
    await clients.autoscaling.send(target({ MinCapacity: 3 }));
    const response = await fetch(`${emulator.url}/_emulator/autoscaling/activities?resourceId=${WEB}`);
    const { activities } = (await response.json()) as {
      activities: { region: string; Description: string }[];
    };
    expect(activities.map((activity) => [activity.region, activity.Description])).toEqual([
      ["us-east-1", "Setting desired count to 3."],
    ]);
    expect(scalingActivities(emulator.world, { region: "eu-west-1" })).toEqual([]);
  });
});
