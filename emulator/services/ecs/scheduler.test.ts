/** The scheduler and the task lifecycle, seen through the SDK: launching, health, self-healing. Needs EC2 and ELBv2. */
import { DeleteLogGroupCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeNetworkInterfacesCommand, DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import {
  DescribeTasksCommand,
  InvalidParameterException,
  ListTasksCommand,
  StopTaskCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { crashTask, setImageBehaviour, setTaskHealth } from "./control.ts";
import {
  advanceUntil,
  CLUSTER,
  createWebService,
  createWebStack,
  describeWeb,
  IMAGE,
  ipOf,
  isSteady,
  LOG_GROUP,
  MINUTE,
  SECOND,
  targetStates,
  tasksOf,
  useHarness,
} from "./test-fixtures.ts";

const harness = useHarness();

const detail = (task: { attachments?: { details?: { name?: string; value?: string }[] }[] }, name: string) =>
  task.attachments?.[0]?.details?.find((entry) => entry.name === name)?.value;

const idOf = (taskArn: string | undefined) => taskArn?.split("/").at(-1) ?? "";

describe("launching tasks", () => {
  it("takes tasks PROVISIONING → PENDING → ACTIVATING → RUNNING, each with an ENI in a task subnet", async () => {
    const stack = await createWebStack(harness.clients);
    await createWebService(harness.ecs, stack);
    const seen = new Set<string>();
    await advanceUntil(
      harness,
      "both tasks RUNNING",
      async () => {
        const tasks = await tasksOf(harness.ecs);
        for (const task of tasks) seen.add(task.lastStatus ?? "");
        return tasks.length === 2 && tasks.every((task) => task.lastStatus === "RUNNING");
      },
      { stepMs: SECOND },
    );
    expect([...seen]).toEqual(["PROVISIONING", "PENDING", "ACTIVATING", "RUNNING"]);

    const tasks = await tasksOf(harness.ecs);
    const { Subnets = [] } = await harness.clients.ec2.send(
      new DescribeSubnetsCommand({ SubnetIds: stack.subnetIds }),
    );
    // Spread over the two subnets' Availability Zones.
    expect(new Set(tasks.map((task) => detail(task, "subnetId")))).toEqual(new Set(stack.subnetIds));
    expect(new Set(tasks.map((task) => task.availabilityZone))).toEqual(
      new Set(Subnets.map((subnet) => subnet.AvailabilityZone)),
    );
    for (const task of tasks) {
      expect(task).toMatchObject({
        desiredStatus: "RUNNING",
        launchType: "FARGATE",
        platformVersion: "1.4.0",
        cpu: "256",
        memory: "512",
        group: "service:web",
        attachments: [{ type: "ElasticNetworkInterface", status: "ATTACHED" }],
        containers: [{ name: "web", image: IMAGE, lastStatus: "RUNNING" }],
      });
      expect(task.startedBy).toMatch(/^ecs-svc\/\d{19}$/);
      expect(task.containers?.[0]?.networkInterfaces?.[0]?.privateIpv4Address).toBe(ipOf(task));
      const { NetworkInterfaces = [] } = await harness.clients.ec2.send(
        new DescribeNetworkInterfacesCommand({
          NetworkInterfaceIds: [detail(task, "networkInterfaceId") ?? ""],
        }),
      );
      expect(NetworkInterfaces[0]).toMatchObject({
        InterfaceType: "interface",
        PrivateIpAddress: ipOf(task),
        SubnetId: detail(task, "subnetId"),
        RequesterId: task.taskArn,
        Groups: [{ GroupId: stack.taskGroupId }],
      });
    }
  });

  it("writes the containers' output to their awslogs streams", async () => {
    const stack = await createWebStack(harness.clients);
    await createWebService(harness.ecs, stack, { desiredCount: 1 });
    harness.emulator.advance(MINUTE);
    const [task] = await tasksOf(harness.ecs);
    const { events = [] } = await harness.clients.logs.send(
      new GetLogEventsCommand({ logGroupName: LOG_GROUP, logStreamName: `web/web/${idOf(task?.taskArn)}` }),
    );
    expect(events.map((event) => event.message)).toEqual(["listening on port 8080"]);
  });

  it("fails tasks whose log group is missing, like AWS (ResourceInitializationError)", async () => {
    const stack = await createWebStack(harness.clients);
    await harness.clients.logs.send(new DeleteLogGroupCommand({ logGroupName: LOG_GROUP }));
    await createWebService(harness.ecs, stack, { desiredCount: 1 });
    harness.emulator.advance(MINUTE);
    const [stopped] = await tasksOf(harness.ecs, "STOPPED");
    expect(stopped?.stopCode).toBe("TaskFailedToStart");
    expect(stopped?.stoppedReason).toMatch(/^ResourceInitializationError: .*log group does not exist/);
  });

  it("fails tasks whose image cannot be pulled (CannotPullContainerError)", async () => {
    const stack = await createWebStack(harness.clients);
    setImageBehaviour(harness.emulator.world, IMAGE, { failure: "pull" });
    await createWebService(harness.ecs, stack, { desiredCount: 1 });
    harness.emulator.advance(MINUTE);
    const [stopped] = await tasksOf(harness.ecs, "STOPPED");
    expect(stopped).toMatchObject({ stopCode: "TaskFailedToStart", lastStatus: "STOPPED" });
    expect(stopped?.stoppedReason).toMatch(/^CannotPullContainerError/);
    expect((await describeWeb(harness.ecs)).deployments?.[0]?.failedTasks).toBeGreaterThan(0);
  });
});

describe("load balancing", () => {
  it("registers RUNNING tasks in the target group and reaches a steady state once they are healthy", async () => {
    const stack = await createWebStack(harness.clients);
    await createWebService(harness.ecs, stack);
    await advanceUntil(harness, "a steady state", () => isSteady(harness.ecs));
    const tasks = await tasksOf(harness.ecs);
    const states = await targetStates(harness.clients, stack.targetGroupArn);
    expect(states).toEqual(Object.fromEntries(tasks.map((task) => [ipOf(task), "healthy"])));
    const service = await describeWeb(harness.ecs);
    expect(service.deployments?.[0]?.rolloutStateReason).toMatch(/^ECS deployment ecs-svc\/\d+ completed\.$/);
    const messages = service.events?.map((event) => event.message) ?? [];
    expect(messages[0]).toBe("(service web) has reached a steady state.");
    expect(messages).toContain(
      `(service web) registered 1 targets in (target-group ${stack.targetGroupArn})`,
    );
    expect(messages.at(-1)).toMatch(
      /^\(service web\) has started 2 tasks: \(task \w{32}\) \(task \w{32}\)\.$/,
    );
  });

  it("replaces a task that fails its health checks after the grace period", async () => {
    const stack = await createWebStack(harness.clients);
    await createWebService(harness.ecs, stack, { healthCheckGracePeriodSeconds: 60 });
    await advanceUntil(harness, "a steady state", () => isSteady(harness.ecs));
    const [sick] = await tasksOf(harness.ecs);
    setTaskHealth(harness.emulator.world, { cluster: CLUSTER, task: sick?.taskArn ?? "" }, false);
    await advanceUntil(harness, "the sick task stopping", async () =>
      (await tasksOf(harness.ecs, "STOPPED")).some((task) => task.taskArn === sick?.taskArn),
    );
    const [stopped] = await harness.ecs
      .send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [sick?.taskArn ?? ""] }))
      .then((output) => output.tasks ?? []);
    expect(stopped).toMatchObject({
      stopCode: "ServiceSchedulerInitiated",
      stoppedReason: `Task failed ELB health checks in (target-group ${stack.targetGroupArn})`,
    });
    await advanceUntil(harness, "a steady state again", () => isSteady(harness.ecs));
    const running = await tasksOf(harness.ecs);
    expect(running).toHaveLength(2);
    expect(running.map((task) => task.taskArn)).not.toContain(sick?.taskArn);
  });

  it("lets a slow starter live through the grace period, and kills it in a loop without one", async () => {
    const stack = await createWebStack(harness.clients);
    // The app needs 3 minutes before it answers: longer than two failed checks take.
    setImageBehaviour(harness.emulator.world, IMAGE, { bootMs: 3 * MINUTE });
    await createWebService(harness.ecs, stack, { desiredCount: 1, healthCheckGracePeriodSeconds: 300 });
    await advanceUntil(harness, "a steady state", () => isSteady(harness.ecs));
    expect(await tasksOf(harness.ecs, "STOPPED")).toEqual([]);

    await harness.ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: "web",
        healthCheckGracePeriodSeconds: 0,
        forceNewDeployment: true,
      }),
    );
    harness.emulator.advance(10 * MINUTE);
    const stopped = await tasksOf(harness.ecs, "STOPPED");
    expect(stopped.length).toBeGreaterThan(1);
    expect(stopped.every((task) => task.stoppedReason?.startsWith("Task failed ELB health checks"))).toBe(
      true,
    );
  });
});

describe("self-healing", () => {
  it("replaces a task whose essential container exits", async () => {
    const stack = await createWebStack(harness.clients);
    await createWebService(harness.ecs, stack);
    await advanceUntil(harness, "a steady state", () => isSteady(harness.ecs));
    const [victim] = await tasksOf(harness.ecs);
    crashTask(harness.emulator.world, { cluster: CLUSTER, task: victim?.taskArn ?? "" }, 137);
    harness.emulator.advance(5 * SECOND);
    const service = await describeWeb(harness.ecs);
    expect(service.runningCount).toBe(1);
    await advanceUntil(harness, "a steady state again", () => isSteady(harness.ecs));
    harness.emulator.advance(MINUTE);
    const [stopped] = await tasksOf(harness.ecs, "STOPPED");
    expect(stopped).toMatchObject({
      taskArn: victim?.taskArn,
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
      stopCode: "EssentialContainerExited",
      stoppedReason: "Essential container in task exited",
      containers: [
        {
          lastStatus: "STOPPED",
          exitCode: 137,
          reason: "OutOfMemoryError: Container killed due to memory usage",
        },
      ],
    });
    expect(stopped?.stoppedAt).toBeInstanceOf(Date);
    expect(await tasksOf(harness.ecs)).toHaveLength(2);
  });

  it("replaces a task stopped with StopTask, which drains it first", async () => {
    const stack = await createWebStack(harness.clients);
    await createWebService(harness.ecs, stack);
    await advanceUntil(harness, "a steady state", () => isSteady(harness.ecs));
    const [victim] = await tasksOf(harness.ecs);
    const { task } = await harness.ecs.send(
      new StopTaskCommand({ cluster: CLUSTER, task: victim?.taskArn, reason: "testing" }),
    );
    expect(task).toMatchObject({
      desiredStatus: "STOPPED",
      stopCode: "UserInitiated",
      stoppedReason: "testing",
    });
    harness.emulator.advance(2 * SECOND);
    const [draining] = await harness.ecs
      .send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [victim?.taskArn ?? ""] }))
      .then((output) => output.tasks ?? []);
    expect(draining?.lastStatus).toBe("DEACTIVATING");
    expect((await targetStates(harness.clients, stack.targetGroupArn))[ipOf(victim ?? {})]).toBe("draining");
    await advanceUntil(harness, "a steady state again", () => isSteady(harness.ecs));
    expect(await tasksOf(harness.ecs)).toHaveLength(2);
  });
});

describe("task API", () => {
  it("lists tasks by service, family, startedBy and desired status; describes missing ones as failures", async () => {
    const stack = await createWebStack(harness.clients);
    const service = await createWebService(harness.ecs, stack);
    harness.emulator.advance(MINUTE);
    const list = async (input: Omit<ConstructorParameters<typeof ListTasksCommand>[0], "cluster">) =>
      (await harness.ecs.send(new ListTasksCommand({ cluster: CLUSTER, ...input }))).taskArns ?? [];
    expect(await list({ serviceName: "web" })).toHaveLength(2);
    expect(await list({ family: "web" })).toHaveLength(2);
    expect(await list({ family: "other" })).toEqual([]);
    expect(await list({ startedBy: service.deployments?.[0]?.id })).toHaveLength(2);
    expect(await list({ desiredStatus: "STOPPED" })).toEqual([]);
    const missing = "arn:aws:ecs:us-east-1:000000000000:task/prod/0123456789abcdef0123456789abcdef";
    const { tasks, failures } = await harness.ecs.send(
      new DescribeTasksCommand({ cluster: CLUSTER, tasks: [missing] }),
    );
    expect(tasks).toEqual([]);
    expect(failures).toEqual([{ arn: missing, reason: "MISSING" }]);
  });

  it("tags tasks with the service's tags and ECS's managed tags when asked to", async () => {
    const stack = await createWebStack(harness.clients);
    await createWebService(harness.ecs, stack, {
      desiredCount: 1,
      tags: [{ key: "team", value: "web" }],
      propagateTags: "SERVICE",
      enableECSManagedTags: true,
    });
    harness.emulator.advance(5 * SECOND);
    const { taskArns = [] } = await harness.ecs.send(new ListTasksCommand({ cluster: CLUSTER }));
    const { tasks } = await harness.ecs.send(
      new DescribeTasksCommand({ cluster: CLUSTER, tasks: taskArns, include: ["TAGS"] }),
    );
    expect(tasks?.[0]?.tags).toEqual([
      { key: "aws:ecs:clusterName", value: CLUSTER },
      { key: "aws:ecs:serviceName", value: "web" },
      { key: "team", value: "web" },
    ]);
  });

  it("never places an EC2 task: the emulator has no container instances, like an empty cluster", async () => {
    const stack = await createWebStack(harness.clients);
    await createWebService(harness.ecs, stack, { launchType: undefined, desiredCount: 1 });
    harness.emulator.advance(MINUTE);
    const service = await describeWeb(harness.ecs);
    expect(service).toMatchObject({ launchType: "EC2", runningCount: 0, pendingCount: 0 });
    expect(service.events?.[0]?.message).toMatch(/was unable to place a task because no container instance/);
    expect(await tasksOf(harness.ecs)).toEqual([]);
  });

  it("refuses to stop a task that does not exist", async () => {
    await createWebStack(harness.clients);
    await expect(
      harness.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: "0123456789abcdef0123456789abcdef" })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });
});
