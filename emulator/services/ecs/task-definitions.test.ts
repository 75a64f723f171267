import {
  ClientException,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { useHarness, webTaskDefinition } from "./test-fixtures.ts";

const harness = useHarness();

const register = (overrides: Parameters<typeof webTaskDefinition>[0] = {}) =>
  harness.ecs.send(new RegisterTaskDefinitionCommand(webTaskDefinition(overrides)));

const container = (overrides: Record<string, unknown>) => ({
  containerDefinitions: [{ ...webTaskDefinition().containerDefinitions?.[0], ...overrides }],
});

describe("RegisterTaskDefinition", () => {
  it("reads back with AWS's server defaults filled in", async () => {
    const { taskDefinition, tags } = await register({ tags: [{ key: "team", value: "web" }] });
    expect(taskDefinition).toMatchObject({
      taskDefinitionArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1",
      family: "web",
      revision: 1,
      status: "ACTIVE",
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      compatibilities: ["EC2", "FARGATE"],
      requiresCompatibilities: ["FARGATE"],
      registeredBy: "arn:aws:iam::000000000000:root",
      volumes: [],
      placementConstraints: [],
    });
    expect(taskDefinition?.registeredAt).toEqual(new Date(Date.UTC(2026, 0, 1)));
    expect(taskDefinition?.requiresAttributes).toEqual(
      expect.arrayContaining([
        { name: "ecs.capability.task-eni" },
        { name: "com.amazonaws.ecs.capability.logging-driver.awslogs" },
        { name: "ecs.capability.execution-role-awslogs" },
      ]),
    );
    expect(taskDefinition?.containerDefinitions?.[0]).toMatchObject({
      name: "web",
      cpu: 0,
      essential: true,
      environment: [],
      mountPoints: [],
      volumesFrom: [],
      systemControls: [],
      portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }],
    });
    expect(tags).toEqual([{ key: "team", value: "web" }]);
  });

  it("stores vCPU and GB units as plain numbers", async () => {
    const { taskDefinition } = await register({ cpu: "1 vCPU", memory: "2 GB" });
    expect([taskDefinition?.cpu, taskDefinition?.memory]).toEqual(["1024", "2048"]);
  });

  it("makes a new revision on every call, even for the same content", async () => {
    await register();
    const { taskDefinition } = await register();
    expect(taskDefinition?.revision).toBe(2);
    expect(taskDefinition?.taskDefinitionArn).toMatch(/task-definition\/web:2$/);
  });

  it.each([
    [
      "a cpu/memory pair Fargate does not offer",
      { memory: "4096" },
      /^No Fargate configuration exists for given values/,
    ],
    ["bridge networking", { networkMode: "bridge" as const }, /Fargate only supports network mode/],
    ["no task-level cpu", { cpu: undefined }, /'cpu' be defined at the task level/],
    ["awslogs without an execution role", { executionRoleArn: undefined }, /execution role ARN/],
    [
      "awslogs without a stream prefix",
      container({
        logConfiguration: {
          logDriver: "awslogs",
          options: { "awslogs-group": "/g", "awslogs-region": "us-east-1" },
        },
      }),
      /awslogs-stream-prefix/,
    ],
    [
      "a host port unlike the container port under awsvpc",
      container({ portMappings: [{ containerPort: 8080, hostPort: 80 }] }),
      /host ports and container ports in port mappings must match/,
    ],
    ["a container without an image", container({ image: undefined }), /Container.image/],
    ["no containers", { containerDefinitions: [] }, /Container list cannot be empty/],
  ])("refuses %s with ClientException", async (_reason, overrides, message) => {
    const call = register(overrides);
    await expect(call).rejects.toBeInstanceOf(ClientException);
    await expect(call).rejects.toThrow(message);
    const { taskDefinitionArns } = await harness.ecs.send(new ListTaskDefinitionsCommand({}));
    expect(taskDefinitionArns).toEqual([]);
  });
});

describe("DescribeTaskDefinition", () => {
  it("finds a revision by family (latest ACTIVE), family:revision or ARN, with tags when asked", async () => {
    const first = await register({ tags: [{ key: "v", value: "1" }] });
    await register();
    const byFamily = await harness.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web" }));
    expect(byFamily.taskDefinition?.revision).toBe(2);
    expect(byFamily.tags).toBeUndefined();
    const byRevision = await harness.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: "web:1", include: ["TAGS"] }),
    );
    expect(byRevision.taskDefinition?.revision).toBe(1);
    expect(byRevision.tags).toEqual([{ key: "v", value: "1" }]);
    const byArn = await harness.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: first.taskDefinition?.taskDefinitionArn }),
    );
    expect(byArn.taskDefinition?.revision).toBe(1);
  });

  it("says ClientException for a family that does not exist", async () => {
    await expect(
      harness.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "missing" })),
    ).rejects.toThrow(/Unable to describe task definition/);
  });
});

describe("DeregisterTaskDefinition", () => {
  it("makes a revision INACTIVE: still describable by revision, no longer the family's latest", async () => {
    await register();
    await register();
    const { taskDefinition } = await harness.ecs.send(
      new DeregisterTaskDefinitionCommand({ taskDefinition: "web:2" }),
    );
    expect(taskDefinition?.status).toBe("INACTIVE");
    expect(taskDefinition?.deregisteredAt).toBeInstanceOf(Date);
    const byRevision = await harness.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web:2" }));
    expect(byRevision.taskDefinition?.status).toBe("INACTIVE");
    const byFamily = await harness.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "web" }));
    expect(byFamily.taskDefinition?.revision).toBe(1);
  });

  it("needs a revision", async () => {
    await register();
    await expect(
      harness.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web" })),
    ).rejects.toBeInstanceOf(ClientException);
  });
});

describe("ListTaskDefinitions", () => {
  it("filters by the whole family name, status and sort order, and pages", async () => {
    await register();
    await register();
    await register({ family: "web-worker" });
    await harness.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:1" }));
    const active = await harness.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "web" }));
    // familyPrefix is the full family name: web-worker is not listed.
    expect(active.taskDefinitionArns?.map((arn) => arn.split("/")[1])).toEqual(["web:2"]);
    const inactive = await harness.ecs.send(new ListTaskDefinitionsCommand({ status: "INACTIVE" }));
    expect(inactive.taskDefinitionArns?.map((arn) => arn.split("/")[1])).toEqual(["web:1"]);
    const first = await harness.ecs.send(new ListTaskDefinitionsCommand({ sort: "DESC", maxResults: 1 }));
    expect(first.taskDefinitionArns?.map((arn) => arn.split("/")[1])).toEqual(["web-worker:1"]);
    const second = await harness.ecs.send(
      new ListTaskDefinitionsCommand({ sort: "DESC", maxResults: 1, nextToken: first.nextToken }),
    );
    expect(second.taskDefinitionArns?.map((arn) => arn.split("/")[1])).toEqual(["web:2"]);
    expect(second.nextToken).toBeUndefined();
  });
});
