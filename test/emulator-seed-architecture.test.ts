/**
 * The emulator's acceptance test: the real SDK clients build the whole pattern by hand (groups, load
 * balancer, target group, listener, cluster, task definition, service, scaling), watch tasks become
 * healthy targets, see a crashed task replaced, see load scale the service out and back in, and tear
 * it all down, under the manual clock, in seconds of real time.
 */
import {
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalingActivitiesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import {
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  FilterLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
} from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetHealthCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, describe, expect, it } from "vitest";
import type { Emulator } from "../emulator/server.ts";
import { crashTask, setServiceCpu } from "../emulator/services/ecs/control.ts";
import { startTestEmulator, type TestClients } from "../emulator/test-clients.ts";

const MINUTE = 60_000;
let emulator: Emulator;
let clients: TestClients;

afterAll(async () => {
  await emulator?.close();
});

async function healthyTargets(targetGroupArn: string): Promise<number> {
  const { TargetHealthDescriptions = [] } = await clients.elbv2.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
  );
  return TargetHealthDescriptions.filter((target) => target.TargetHealth?.State === "healthy").length;
}

async function service() {
  const { services = [] } = await clients.ecs.send(
    new DescribeServicesCommand({ cluster: "web", services: ["web"] }),
  );
  const found = services[0];
  if (!found) throw new Error("service web not found");
  return found;
}

/** Advances simulated time a minute at a time until `done` holds (at most `limitMinutes`). */
async function advanceUntil(what: string, done: () => Promise<boolean>, limitMinutes = 30): Promise<void> {
  for (let minute = 0; minute <= limitMinutes; minute++) {
    if (await done()) return;
    emulator.advance(MINUTE);
  }
  throw new Error(`still waiting for ${what} after ${limitMinutes} simulated minutes`);
}

describe("the seed architecture, built by hand through the SDK", () => {
  it("runs, heals, scales and tears down", async () => {
    ({ emulator, clients } = await startTestEmulator());
    const tags = [{ Key: "app", Value: "web" }];

    // Network.
    const { Vpcs = [] } = await clients.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }),
    );
    const vpcId = Vpcs[0]?.VpcId ?? "";
    const { Subnets = [] } = await clients.ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "default-for-az", Values: ["true"] },
        ],
      }),
    );
    const subnets = Subnets.map((subnet) => subnet.SubnetId ?? "");
    expect(subnets).toHaveLength(3);
    const { GroupId: albGroup = "" } = await clients.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "web-alb", Description: "load balancer", VpcId: vpcId }),
    );
    await clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: albGroup,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      }),
    );
    const { GroupId: taskGroup = "" } = await clients.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "web-tasks", Description: "tasks", VpcId: vpcId }),
    );
    await clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: taskGroup,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 3000, ToPort: 3000, UserIdGroupPairs: [{ GroupId: albGroup }] },
        ],
      }),
    );

    // Load balancing.
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/web" }));
    const { LoadBalancers = [] } = await clients.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: "web",
        Subnets: subnets,
        SecurityGroups: [albGroup],
        Scheme: "internet-facing",
        Tags: tags,
      }),
    );
    const loadBalancerArn = LoadBalancers[0]?.LoadBalancerArn ?? "";
    expect(LoadBalancers[0]?.State?.Code).toBe("provisioning");
    const { TargetGroups = [] } = await clients.elbv2.send(
      new CreateTargetGroupCommand({
        Name: "web-tg",
        Protocol: "HTTP",
        Port: 3000,
        VpcId: vpcId,
        TargetType: "ip",
        HealthCheckPath: "/health",
        HealthCheckIntervalSeconds: 10,
        HealthyThresholdCount: 2,
      }),
    );
    const targetGroupArn = TargetGroups[0]?.TargetGroupArn ?? "";
    const { Listeners = [] } = await clients.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: loadBalancerArn,
        Port: 80,
        Protocol: "HTTP",
        DefaultActions: [{ Type: "forward", TargetGroupArn: targetGroupArn }],
      }),
    );
    await advanceUntil("the load balancer to become active", async () => {
      const { LoadBalancers: found = [] } = await clients.elbv2.send(
        new DescribeLoadBalancersCommand({ Names: ["web"] }),
      );
      return found[0]?.State?.Code === "active";
    });

    // The service.
    await clients.ecs.send(new CreateClusterCommand({ clusterName: "web" }));
    const { taskDefinition } = await clients.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "web",
        cpu: "256",
        memory: "512",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        executionRoleArn: "arn:aws:iam::000000000000:role/ecsTaskExecutionRole",
        containerDefinitions: [
          {
            name: "app",
            image: "registry.example.com/web:1.0.0",
            portMappings: [{ containerPort: 3000 }],
            logConfiguration: {
              logDriver: "awslogs",
              options: {
                "awslogs-group": "/ecs/web",
                "awslogs-region": "us-east-1",
                "awslogs-stream-prefix": "web",
              },
            },
          },
        ],
      }),
    );
    await clients.ecs.send(
      new CreateServiceCommand({
        cluster: "web",
        serviceName: "web",
        taskDefinition: taskDefinition?.taskDefinitionArn,
        desiredCount: 2,
        launchType: "FARGATE",
        networkConfiguration: {
          awsvpcConfiguration: { subnets, securityGroups: [taskGroup], assignPublicIp: "ENABLED" },
        },
        loadBalancers: [{ targetGroupArn, containerName: "app", containerPort: 3000 }],
        healthCheckGracePeriodSeconds: 60,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
    await clients.autoscaling.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: "ecs",
        ResourceId: "service/web/web",
        ScalableDimension: "ecs:service:DesiredCount",
        MinCapacity: 2,
        MaxCapacity: 6,
      }),
    );
    await clients.autoscaling.send(
      new PutScalingPolicyCommand({
        PolicyName: "web-cpu",
        ServiceNamespace: "ecs",
        ResourceId: "service/web/web",
        ScalableDimension: "ecs:service:DesiredCount",
        PolicyType: "TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 50,
          PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
          ScaleOutCooldown: 60,
          ScaleInCooldown: 120,
        },
      }),
    );

    // Tasks become healthy targets, and the deployment completes.
    await advanceUntil("two healthy targets and a completed rollout", async () => {
      const current = await service();
      return (
        (await healthyTargets(targetGroupArn)) === 2 && current.deployments?.[0]?.rolloutState === "COMPLETED"
      );
    });
    expect((await service()).runningCount).toBe(2);
    const { events = [] } = await clients.logs.send(new FilterLogEventsCommand({ logGroupName: "/ecs/web" }));
    expect(events.length).toBeGreaterThan(0);

    // A crashed task is replaced.
    const { taskArns = [] } = await clients.ecs.send(
      new ListTasksCommand({ cluster: "web", serviceName: "web" }),
    );
    const crashed = taskArns[0] ?? "";
    crashTask(emulator.world, { cluster: "web", task: crashed });
    await advanceUntil("the crashed task to be replaced", async () => {
      const { taskArns: running = [] } = await clients.ecs.send(
        new ListTasksCommand({ cluster: "web", serviceName: "web" }),
      );
      return (
        !running.includes(crashed) && running.length === 2 && (await healthyTargets(targetGroupArn)) === 2
      );
    });
    const { tasks = [] } = await clients.ecs.send(
      new DescribeTasksCommand({ cluster: "web", tasks: [crashed] }),
    );
    // Still draining from the target group (its deregistration delay), but on its way out for good.
    expect(tasks[0]).toMatchObject({
      desiredStatus: "STOPPED",
      stoppedReason: expect.stringMatching(/Essential container in task exited/),
    });

    // Load scales the service out, and its end scales it back in.
    setServiceCpu(emulator.world, { cluster: "web", service: "web" }, 90, 2);
    await advanceUntil("a scale-out", async () => ((await service()).desiredCount ?? 0) > 2);
    await advanceUntil(
      "the new tasks to be healthy",
      async () => (await healthyTargets(targetGroupArn)) === (await service()).desiredCount,
    );

    const scaledOut = (await service()).desiredCount ?? 0;
    expect(scaledOut).toBeGreaterThan(2);
    expect(scaledOut).toBeLessThanOrEqual(6);

    setServiceCpu(emulator.world, { cluster: "web", service: "web" }, 10, scaledOut);
    await advanceUntil("a scale-in to the minimum", async () => (await service()).desiredCount === 2, 60);
    const { ScalingActivities = [] } = await clients.autoscaling.send(
      new DescribeScalingActivitiesCommand({ ServiceNamespace: "ecs" }),
    );
    expect(ScalingActivities.map((activity) => activity.Description)).toEqual(
      expect.arrayContaining([`Setting desired count to ${scaledOut}.`, "Setting desired count to 2."]),
    );

    // Teardown, in dependency order.
    await clients.autoscaling.send(
      new DeleteScalingPolicyCommand({
        PolicyName: "web-cpu",
        ServiceNamespace: "ecs",
        ResourceId: "service/web/web",
        ScalableDimension: "ecs:service:DesiredCount",
      }),
    );
    await clients.autoscaling.send(
      new DeregisterScalableTargetCommand({
        ServiceNamespace: "ecs",
        ResourceId: "service/web/web",
        ScalableDimension: "ecs:service:DesiredCount",
      }),
    );
    await clients.ecs.send(new UpdateServiceCommand({ cluster: "web", service: "web", desiredCount: 0 }));
    await clients.ecs.send(new DeleteServiceCommand({ cluster: "web", service: "web" }));
    await advanceUntil("the service to drain", async () => (await service()).status === "INACTIVE");
    await clients.elbv2.send(new DeleteListenerCommand({ ListenerArn: Listeners[0]?.ListenerArn }));
    await clients.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: targetGroupArn }));
    await clients.elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: loadBalancerArn }));
    await advanceUntil("every network interface to be released", async () => {
      const { NetworkInterfaces = [] } = await clients.ec2.send(new DescribeNetworkInterfacesCommand({}));
      return NetworkInterfaces.length === 0;
    });
    await clients.ec2.send(new DeleteSecurityGroupCommand({ GroupId: taskGroup }));
    await clients.ec2.send(new DeleteSecurityGroupCommand({ GroupId: albGroup }));
    await clients.logs.send(new DeleteLogGroupCommand({ logGroupName: "/ecs/web" }));
    await clients.ecs.send(
      new DeregisterTaskDefinitionCommand({ taskDefinition: taskDefinition?.taskDefinitionArn }),
    );
    await clients.ecs.send(new DeleteClusterCommand({ cluster: "web" }));
  });
});
