/**
 * For this folder's tests: one emulator per test file (reset before each test), and builders with
 * defaults for the stack a web service needs — the default VPC's subnets, security groups, an ALB with
 * an ip target group and a listener, a log group — all made through the real SDK clients.
 */
import { CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateSecurityGroupCommand, DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  type CreateServiceCommandInput,
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type Task,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ModifyTargetGroupAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeEach } from "vitest";
import type { Emulator, EmulatorOptions } from "../../server.ts";
import { startTestEmulator, type TestClients } from "../../test-clients.ts";

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const CLUSTER = "prod";
export const IMAGE = "example/web:1";
export const LOG_GROUP = "/ecs/web";

export interface Harness {
  readonly emulator: Emulator;
  readonly clients: TestClients;
  readonly ecs: ECSClient;
}

/** Registers the hooks (one emulator per file, reset before each test) and returns the harness. */
export function useHarness(options: EmulatorOptions = {}): Harness {
  let started: { emulator: Emulator; clients: TestClients } | undefined;
  beforeEach(async () => {
    started ??= await startTestEmulator(options);
    started.emulator.reset();
  });
  afterAll(async () => {
    await started?.emulator.close();
  });
  const get = () => {
    if (!started) throw new Error("the emulator starts in beforeEach");
    return started;
  };
  return {
    get emulator() {
      return get().emulator;
    },
    get clients() {
      return get().clients;
    },
    get ecs() {
      return get().clients.ecs;
    },
  };
}

export interface WebStack {
  vpcId: string;
  /** Two default subnets, in different Availability Zones. */
  subnetIds: string[];
  taskGroupId: string;
  loadBalancerArn: string;
  targetGroupArn: string;
}

/**
 * Fast health checks, so tests reach healthy targets in seconds of simulated time; a booting task
 * (10 s by default) still gets 30 s before it counts as unhealthy.
 */
export const FAST_HEALTH_CHECK = {
  HealthCheckPath: "/health",
  HealthCheckIntervalSeconds: 10,
  HealthCheckTimeoutSeconds: 5,
  HealthyThresholdCount: 2,
  UnhealthyThresholdCount: 3,
};

/** The network and load balancer of `web`: an ALB, an ip target group on 8080 and (unless told otherwise) a listener. */
export async function createWebStack(
  clients: TestClients,
  options: { listener?: boolean; deregistrationDelaySeconds?: number; targetGroupName?: string } = {},
): Promise<WebStack> {
  const { Subnets = [] } = await clients.ec2.send(
    new DescribeSubnetsCommand({ Filters: [{ Name: "default-for-az", Values: ["true"] }] }),
  );
  const subnets = [...Subnets].sort((a, b) =>
    (a.AvailabilityZone ?? "").localeCompare(b.AvailabilityZone ?? ""),
  );
  const vpcId = subnets[0]?.VpcId ?? "";
  const subnetIds = subnets.slice(0, 2).map((subnet) => subnet.SubnetId ?? "");
  const group = async (name: string) =>
    (
      await clients.ec2.send(
        new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId }),
      )
    ).GroupId ?? "";
  const albGroupId = await group("web-alb");
  const taskGroupId = await group("web-tasks");
  const { LoadBalancers } = await clients.elbv2.send(
    new CreateLoadBalancerCommand({ Name: "web", Subnets: subnetIds, SecurityGroups: [albGroupId] }),
  );
  const loadBalancerArn = LoadBalancers?.[0]?.LoadBalancerArn ?? "";
  const { TargetGroups } = await clients.elbv2.send(
    new CreateTargetGroupCommand({
      Name: options.targetGroupName ?? "web-tg",
      Protocol: "HTTP",
      Port: 8080,
      VpcId: vpcId,
      TargetType: "ip",
      ...FAST_HEALTH_CHECK,
    }),
  );
  const targetGroupArn = TargetGroups?.[0]?.TargetGroupArn ?? "";
  await clients.elbv2.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: targetGroupArn,
      Attributes: [
        {
          Key: "deregistration_delay.timeout_seconds",
          Value: String(options.deregistrationDelaySeconds ?? 20),
        },
      ],
    }),
  );
  if (options.listener !== false) {
    await clients.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: loadBalancerArn,
        Protocol: "HTTP",
        Port: 80,
        DefaultActions: [{ Type: "forward", TargetGroupArn: targetGroupArn }],
      }),
    );
  }
  await clients.logs.send(new CreateLogGroupCommand({ logGroupName: LOG_GROUP }));
  await clients.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  return { vpcId, subnetIds, taskGroupId, loadBalancerArn, targetGroupArn };
}

/** A Fargate task definition of family `web`: one container on 8080 logging to /ecs/web. */
export function webTaskDefinition(
  overrides: Partial<RegisterTaskDefinitionCommandInput> = {},
  image = IMAGE,
): RegisterTaskDefinitionCommandInput {
  return {
    family: "web",
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: "256",
    memory: "512",
    executionRoleArn: "arn:aws:iam::000000000000:role/ecsTaskExecutionRole",
    containerDefinitions: [
      {
        name: "web",
        image,
        portMappings: [{ containerPort: 8080 }],
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": LOG_GROUP,
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "web",
          },
        },
      },
    ],
    ...overrides,
  };
}

/**
 * `definition` with its container on `containerPort` instead of 8080 (for a service without a load
 * balancer: the stack's target group stays on 8080).
 */
export function onContainerPort(
  definition: RegisterTaskDefinitionCommandInput,
  containerPort: number,
): RegisterTaskDefinitionCommandInput {
  return {
    ...definition,
    containerDefinitions: definition.containerDefinitions?.map((container) => ({
      ...container,
      portMappings: [{ containerPort }],
    })),
  };
}

/** Registers a revision of `web` and returns its ARN. */
export async function registerWeb(ecs: ECSClient, image = IMAGE, overrides = {}): Promise<string> {
  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand(webTaskDefinition(overrides, image)),
  );
  return taskDefinition?.taskDefinitionArn ?? "";
}

/** CreateService input for `web` behind the stack's target group. */
export function webService(
  stack: WebStack,
  overrides: Partial<CreateServiceCommandInput> = {},
): CreateServiceCommandInput {
  return {
    cluster: CLUSTER,
    serviceName: "web",
    taskDefinition: "web",
    desiredCount: 2,
    launchType: "FARGATE",
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: stack.subnetIds,
        securityGroups: [stack.taskGroupId],
        assignPublicIp: "DISABLED",
      },
    },
    loadBalancers: [{ targetGroupArn: stack.targetGroupArn, containerName: "web", containerPort: 8080 }],
    ...overrides,
  };
}

/** Creates `web` (registering its task definition) and returns the service as CreateService did. */
export async function createWebService(
  ecs: ECSClient,
  stack: WebStack,
  overrides: Partial<CreateServiceCommandInput> = {},
): Promise<Service> {
  await registerWeb(ecs);
  const { service } = await ecs.send(new CreateServiceCommand(webService(stack, overrides)));
  if (!service) throw new Error("CreateService returned no service");
  return service;
}

/** The service as DescribeServices shows it now. */
export async function describeWeb(ecs: ECSClient, name = "web"): Promise<Service> {
  const { services } = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }));
  const service = services?.[0];
  if (!service) throw new Error(`no service ${name}`);
  return service;
}

/** The cluster's tasks with the given desired status (RUNNING by default), described. */
export async function tasksOf(
  ecs: ECSClient,
  desiredStatus: "RUNNING" | "STOPPED" = "RUNNING",
): Promise<Task[]> {
  const { taskArns = [] } = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, desiredStatus }));
  if (taskArns.length === 0) return [];
  const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: taskArns }));
  return tasks;
}

/** The private IP of a task, from its ENI attachment. */
export const ipOf = (task: Task) =>
  task.attachments?.[0]?.details?.find((detail) => detail.name === "privateIPv4Address")?.value ?? "";

/** Target IPs of the stack's group by state, as DescribeTargetHealth reports them. */
export async function targetStates(
  clients: TestClients,
  targetGroupArn: string,
): Promise<Record<string, string>> {
  const { TargetHealthDescriptions = [] } = await clients.elbv2.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
  );
  return Object.fromEntries(
    TargetHealthDescriptions.map((description) => [
      description.Target?.Id ?? "",
      description.TargetHealth?.State ?? "",
    ]),
  );
}

/** Advances simulated time in steps until `probe` holds; fails when it does not within `withinMs`. */
export async function advanceUntil(
  harness: Harness,
  what: string,
  probe: () => Promise<boolean> | boolean,
  { withinMs = 10 * MINUTE, stepMs = 5 * SECOND } = {},
): Promise<void> {
  for (let waited = 0; waited <= withinMs; waited += stepMs) {
    if (await probe()) return;
    harness.emulator.advance(stepMs);
  }
  throw new Error(`${what} did not happen within ${withinMs / SECOND} s of simulated time`);
}

/** Whether the service has one COMPLETED deployment and its desired count of running tasks. */
export async function isSteady(ecs: ECSClient, name = "web"): Promise<boolean> {
  const service = await describeWeb(ecs, name);
  return (
    service.deployments?.length === 1 &&
    service.deployments[0]?.rolloutState === "COMPLETED" &&
    service.runningCount === service.desiredCount
  );
}
