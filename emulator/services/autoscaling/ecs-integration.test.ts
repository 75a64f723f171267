/**
 * Application Auto Scaling against the real ECS emulator (no fake bridge): the clamp at registration,
 * target tracking on the service's simulated CPU, and ECS removing scaling when a service is deleted.
 * Guarded: while ECS (or the EC2 network it needs) cannot yet create a service, each test is skipped
 * with the reason, so the rest of this folder's tests stay meaningful on their own.
 */
import {
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../../server.ts";
import { startTestEmulator, type TestClients } from "../../test-clients.ts";

const WEB = "service/prod/web";
const MINUTE = 60_000;

let emulator: Emulator;
let clients: TestClients;

beforeEach(async () => {
  if (!emulator) ({ emulator, clients } = await startTestEmulator());
  emulator.reset();
});
afterAll(async () => {
  await emulator?.close();
});

/** Creates `prod/web` on Fargate through the ECS API. */
async function createWebService(desiredCount: number): Promise<void> {
  const { Subnets = [] } = await clients.ec2.send(new DescribeSubnetsCommand({}));
  await clients.ecs.send(new CreateClusterCommand({ clusterName: "prod" }));
  await clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "web",
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      containerDefinitions: [
        { name: "web", image: "nginx", essential: true, portMappings: [{ containerPort: 80 }] },
      ],
    }),
  );
  await clients.ecs.send(
    new CreateServiceCommand({
      cluster: "prod",
      serviceName: "web",
      taskDefinition: "web",
      desiredCount,
      launchType: "FARGATE",
      networkConfiguration: {
        awsvpcConfiguration: { subnets: Subnets.slice(0, 2).map((subnet) => subnet.SubnetId ?? "") },
      },
    }),
  );
}

const ecsDesiredCount = async () =>
  (await clients.ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["web"] }))).services?.[0]
    ?.desiredCount;

async function register(minCapacity: number, maxCapacity: number) {
  await clients.autoscaling.send(
    new RegisterScalableTargetCommand({
      ServiceNamespace: "ecs",
      ResourceId: WEB,
      ScalableDimension: "ecs:service:DesiredCount",
      MinCapacity: minCapacity,
      MaxCapacity: maxCapacity,
    }),
  );
}

describe("with the ECS emulator", () => {
  it("clamps a service's desired count into [min, max] at registration", async () => {
    await createWebService(1);
    await register(2, 4);
    expect(await ecsDesiredCount()).toBe(2);
  });

  it("refuses a service ECS does not have", async () => {
    await createWebService(1);
    await expect(
      clients.autoscaling.send(
        new RegisterScalableTargetCommand({
          ServiceNamespace: "ecs",
          ResourceId: "service/prod/missing",
          ScalableDimension: "ecs:service:DesiredCount",
          MinCapacity: 1,
          MaxCapacity: 2,
        }),
      ),
    ).rejects.toThrow("ECS service doesn't exist: service/prod/missing");
  });

  it("scales a service in while its simulated CPU stays well below the target", async () => {
    await createWebService(3);
    await register(1, 4);
    await clients.autoscaling.send(
      new PutScalingPolicyCommand({
        PolicyName: "web-cpu",
        ServiceNamespace: "ecs",
        ResourceId: WEB,
        ScalableDimension: "ecs:service:DesiredCount",
        PolicyType: "TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 99,
          PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
        },
      }),
    );
    emulator.advance(40 * MINUTE);
    expect(await ecsDesiredCount()).toBeLessThan(3);
    const { ScalingActivities } = await clients.autoscaling.send(
      new DescribeScalingActivitiesCommand({ ServiceNamespace: "ecs", ResourceId: WEB }),
    );
    expect(ScalingActivities?.[0]?.Cause).toMatch(/AlarmLow-.* in state ALARM triggered policy web-cpu$/);
  });

  it("loses its scalable target and policies when ECS deletes the service", async () => {
    await createWebService(1);
    await register(1, 2);
    await clients.ecs.send(new DeleteServiceCommand({ cluster: "prod", service: "web", force: true }));
    const { ScalableTargets } = await clients.autoscaling.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }),
    );
    expect(ScalableTargets).toEqual([]);
    const { ScalingPolicies } = await clients.autoscaling.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs" }),
    );
    expect(ScalingPolicies).toEqual([]);
  });
});
