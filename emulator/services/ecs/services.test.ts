/** The service API: shapes, defaults, validation against EC2 and ELBv2, and which updates deploy. Needs EC2 and ELBv2. */
import {
  ClientException,
  ClusterNotFoundException,
  CreateServiceCommand,
  DescribeServicesCommand,
  InvalidParameterException,
  ListServicesCommand,
  ListTagsForResourceCommand,
  RegisterTaskDefinitionCommand,
  ServiceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { CreateListenerCommand, CreateRuleCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { describe, expect, it } from "vitest";
import {
  CLUSTER,
  createWebService,
  createWebStack,
  describeWeb,
  registerWeb,
  useHarness,
  type WebStack,
  webService,
  webTaskDefinition,
} from "./test-fixtures.ts";

const harness = useHarness();

const create = (stack: WebStack, overrides: Parameters<typeof webService>[1] = {}) =>
  harness.ecs.send(new CreateServiceCommand(webService(stack, overrides)));

async function expectRefused(
  call: Promise<unknown>,
  type: abstract new (...args: never[]) => Error,
  message: RegExp,
) {
  await expect(call).rejects.toBeInstanceOf(type);
  await expect(call).rejects.toThrow(message);
}

describe("CreateService", () => {
  it("returns the service with AWS's defaults and one PRIMARY deployment", async () => {
    const stack = await createWebStack(harness.clients);
    const service = await createWebService(harness.ecs, stack, { tags: [{ key: "team", value: "web" }] });
    expect(service).toMatchObject({
      serviceArn: "arn:aws:ecs:us-east-1:000000000000:service/prod/web",
      serviceName: "web",
      clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/prod",
      status: "ACTIVE",
      desiredCount: 2,
      runningCount: 0,
      pendingCount: 0,
      launchType: "FARGATE",
      taskDefinition: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1",
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: false, rollback: false },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
      healthCheckGracePeriodSeconds: 0,
      schedulingStrategy: "REPLICA",
      deploymentController: { type: "ECS" },
      propagateTags: "NONE",
      enableECSManagedTags: false,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: stack.subnetIds,
          securityGroups: [stack.taskGroupId],
          assignPublicIp: "DISABLED",
        },
      },
      loadBalancers: [{ targetGroupArn: stack.targetGroupArn, containerName: "web", containerPort: 8080 }],
      tags: [{ key: "team", value: "web" }],
    });
    expect(service.createdAt).toBeInstanceOf(Date);
    expect(service.deployments).toHaveLength(1);
    expect(service.deployments?.[0]).toMatchObject({
      status: "PRIMARY",
      taskDefinition: service.taskDefinition,
      desiredCount: 2,
      runningCount: 0,
      failedTasks: 0,
      rolloutState: "IN_PROGRESS",
      launchType: "FARGATE",
    });
    expect(service.deployments?.[0]?.id).toMatch(/^ecs-svc\/\d{19}$/);
  });

  it("defaults assignPublicIp to DISABLED", async () => {
    const stack = await createWebStack(harness.clients);
    const service = await createWebService(harness.ecs, stack, {
      networkConfiguration: {
        awsvpcConfiguration: { subnets: stack.subnetIds, securityGroups: [stack.taskGroupId] },
      },
    });
    expect(service.networkConfiguration?.awsvpcConfiguration?.assignPublicIp).toBe("DISABLED");
  });

  it("refuses a target group that no listener uses", async () => {
    const stack = await createWebStack(harness.clients, { listener: false });
    await registerWeb(harness.ecs);
    await expectRefused(
      create(stack),
      InvalidParameterException,
      new RegExp(
        `The target group with targetGroupArn ${stack.targetGroupArn} does not have an associated load balancer`,
      ),
    );
    expect((await harness.ecs.send(new ListServicesCommand({ cluster: CLUSTER }))).serviceArns).toEqual([]);
  });

  it("accepts a target group that only a listener rule forwards to", async () => {
    const stack = await createWebStack(harness.clients, { listener: false });
    const { Listeners } = await harness.clients.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: stack.loadBalancerArn,
        Protocol: "HTTP",
        Port: 80,
        DefaultActions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404" } }],
      }),
    );
    await harness.clients.elbv2.send(
      new CreateRuleCommand({
        ListenerArn: Listeners?.[0]?.ListenerArn,
        Priority: 1,
        Conditions: [{ Field: "path-pattern", Values: ["/*"] }],
        Actions: [{ Type: "forward", TargetGroupArn: stack.targetGroupArn }],
      }),
    );
    const service = await createWebService(harness.ecs, stack);
    expect(service.loadBalancers?.[0]?.targetGroupArn).toBe(stack.targetGroupArn);
  });

  it.each([
    [
      "an unknown subnet",
      (stack: WebStack) => ({
        networkConfiguration: {
          awsvpcConfiguration: { subnets: ["subnet-0000000000000dead"], securityGroups: [stack.taskGroupId] },
        },
      }),
      /subnet-0000000000000dead/,
    ],
    [
      "an unknown security group",
      (stack: WebStack) => ({
        networkConfiguration: {
          awsvpcConfiguration: { subnets: stack.subnetIds, securityGroups: ["sg-0000000000000dead"] },
        },
      }),
      /sg-0000000000000dead/,
    ],
    [
      "no network configuration for awsvpc",
      () => ({ networkConfiguration: undefined }),
      /Network Configuration must be provided/,
    ],
    [
      "a container the task definition lacks",
      (stack: WebStack) => ({
        loadBalancers: [{ targetGroupArn: stack.targetGroupArn, containerName: "api", containerPort: 8080 }],
      }),
      /container api does not exist/,
    ],
    [
      "a port the container does not map",
      (stack: WebStack) => ({
        loadBalancers: [{ targetGroupArn: stack.targetGroupArn, containerName: "web", containerPort: 9090 }],
      }),
      /did not have a container port 9090/,
    ],
  ])("refuses %s with InvalidParameterException", async (_reason, overrides, message) => {
    const stack = await createWebStack(harness.clients);
    await registerWeb(harness.ecs);
    await expectRefused(create(stack, overrides(stack)), InvalidParameterException, message);
  });

  it("refuses a task definition that does not exist or cannot run on Fargate", async () => {
    const stack = await createWebStack(harness.clients);
    await expectRefused(
      create(stack, { taskDefinition: "missing" }),
      ClientException,
      /TaskDefinition not found/,
    );
    await harness.ecs.send(
      new RegisterTaskDefinitionCommand(
        webTaskDefinition({ family: "bridge", networkMode: "bridge", requiresCompatibilities: [] }),
      ),
    );
    await expectRefused(
      create(stack, { taskDefinition: "bridge", networkConfiguration: undefined, loadBalancers: [] }),
      ClientException,
      /does not support launch_type FARGATE/,
    );
  });

  it("refuses a missing cluster", async () => {
    const stack = await createWebStack(harness.clients);
    await registerWeb(harness.ecs);
    await expect(create(stack, { cluster: "nope" })).rejects.toBeInstanceOf(ClusterNotFoundException);
  });

  it("is idempotent only for the same clientToken", async () => {
    const stack = await createWebStack(harness.clients);
    const first = await createWebService(harness.ecs, stack, { clientToken: "token-1" });
    const retried = await create(stack, { clientToken: "token-1" });
    expect(retried.service?.deployments?.[0]?.id).toBe(first.deployments?.[0]?.id);
    await expectRefused(create(stack), InvalidParameterException, /Creation of service was not idempotent/);
    await expectRefused(
      create(stack, { clientToken: "token-2" }),
      InvalidParameterException,
      /not idempotent/,
    );
  });
});

describe("UpdateService", () => {
  it("starts a deployment for a new task definition, not for a new desired count or deployment settings", async () => {
    const stack = await createWebStack(harness.clients);
    const created = await createWebService(harness.ecs, stack);
    const firstId = created.deployments?.[0]?.id;
    await harness.ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: "web",
        desiredCount: 3,
        healthCheckGracePeriodSeconds: 60,
        deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 150 },
      }),
    );
    let service = await describeWeb(harness.ecs);
    expect(service.deployments?.map((deployment) => deployment.id)).toEqual([firstId]);
    expect(service).toMatchObject({
      desiredCount: 3,
      healthCheckGracePeriodSeconds: 60,
      deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 150 },
    });

    const revision2 = await registerWeb(harness.ecs, "example/web:2");
    await harness.ecs.send(
      new UpdateServiceCommand({ cluster: CLUSTER, service: "web", taskDefinition: "web" }),
    );
    service = await describeWeb(harness.ecs);
    expect(service.taskDefinition).toBe(revision2);
    expect(service.deployments?.map((deployment) => [deployment.status, deployment.taskDefinition])).toEqual([
      ["PRIMARY", revision2],
      ["ACTIVE", created.taskDefinition],
    ]);
  });

  it("starts a deployment when forced, or when the network or load balancers change", async () => {
    const stack = await createWebStack(harness.clients);
    await createWebService(harness.ecs, stack);
    await harness.ecs.send(
      new UpdateServiceCommand({ cluster: CLUSTER, service: "web", forceNewDeployment: true }),
    );
    await harness.ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: "web",
        networkConfiguration: {
          awsvpcConfiguration: { subnets: stack.subnetIds.slice(0, 1), securityGroups: [stack.taskGroupId] },
        },
      }),
    );
    await harness.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", loadBalancers: [] }));
    const service = await describeWeb(harness.ecs);
    expect(service.deployments).toHaveLength(4);
    expect(service.loadBalancers).toEqual([]);
    expect(service.networkConfiguration?.awsvpcConfiguration?.subnets).toEqual(stack.subnetIds.slice(0, 1));
  });

  it("says ServiceNotFoundException for a service that does not exist", async () => {
    await createWebStack(harness.clients);
    await expect(
      harness.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "nope", desiredCount: 1 })),
    ).rejects.toBeInstanceOf(ServiceNotFoundException);
  });
});

describe("DescribeServices and ListServices", () => {
  it("puts missing services in failures with reason MISSING, tags only when asked", async () => {
    const stack = await createWebStack(harness.clients);
    await createWebService(harness.ecs, stack, { tags: [{ key: "a", value: "1" }] });
    const { services, failures } = await harness.ecs.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: ["web", "gone"] }),
    );
    expect(services?.map((service) => service.serviceName)).toEqual(["web"]);
    expect(services?.[0]?.tags).toBeUndefined();
    expect(failures).toEqual([
      { arn: "arn:aws:ecs:us-east-1:000000000000:service/prod/gone", reason: "MISSING" },
    ]);
    const tagged = await harness.ecs.send(
      new DescribeServicesCommand({
        cluster: CLUSTER,
        services: [services?.[0]?.serviceArn ?? ""],
        include: ["TAGS"],
      }),
    );
    expect(tagged.services?.[0]?.tags).toEqual([{ key: "a", value: "1" }]);
  });

  it("describes at most 10 services per call", async () => {
    await createWebStack(harness.clients);
    const names = Array.from({ length: 11 }, (_, index) => `s${index}`);
    await expect(
      harness.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: names })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    const { failures } = await harness.ecs.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: names.slice(0, 10) }),
    );
    expect(failures).toHaveLength(10);
  });

  it("says ClusterNotFoundException for a missing cluster", async () => {
    await expect(
      harness.ecs.send(new DescribeServicesCommand({ cluster: "nope", services: ["web"] })),
    ).rejects.toBeInstanceOf(ClusterNotFoundException);
  });

  it("lists ACTIVE services", async () => {
    const stack = await createWebStack(harness.clients);
    const service = await createWebService(harness.ecs, stack);
    const { serviceArns } = await harness.ecs.send(new ListServicesCommand({ cluster: CLUSTER }));
    expect(serviceArns).toEqual([service.serviceArn]);
  });
});

describe("tags", () => {
  it("tags, lists and untags a service, a cluster and a task definition by ARN", async () => {
    const stack = await createWebStack(harness.clients);
    const service = await createWebService(harness.ecs, stack);
    const arns = [service.serviceArn ?? "", service.clusterArn ?? "", service.taskDefinition ?? ""];
    for (const resourceArn of arns) {
      await harness.ecs.send(
        new TagResourceCommand({
          resourceArn,
          tags: [
            { key: "a", value: "1" },
            { key: "b", value: "2" },
          ],
        }),
      );
      await harness.ecs.send(new UntagResourceCommand({ resourceArn, tagKeys: ["a"] }));
      const { tags } = await harness.ecs.send(new ListTagsForResourceCommand({ resourceArn }));
      expect(tags).toEqual([{ key: "b", value: "2" }]);
    }
  });

  it("refuses aws: keys and unknown resources", async () => {
    const stack = await createWebStack(harness.clients);
    const service = await createWebService(harness.ecs, stack);
    await expect(
      harness.ecs.send(
        new TagResourceCommand({ resourceArn: service.serviceArn, tags: [{ key: "aws:x", value: "1" }] }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      harness.ecs.send(
        new ListTagsForResourceCommand({
          resourceArn: "arn:aws:ecs:us-east-1:000000000000:service/prod/nope",
        }),
      ),
    ).rejects.toBeInstanceOf(ServiceNotFoundException);
  });
});
