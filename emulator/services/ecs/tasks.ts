/** Tasks: ListTasks (RUNNING ones unless asked otherwise), DescribeTasks (missing ones in `failures`), StopTask. */
import type { Task as TaskShape } from "@aws-sdk/client-ecs";
import type { Operation } from "../service-definition.ts";
import { taskArn, taskIdOf } from "./arns.ts";
import { clusterFor } from "./clusters.ts";
import { ecsContext } from "./context.ts";
import { invalidParameter, maxResults, read, serviceNotFound } from "./errors.ts";
import { paginate } from "./pagination.ts";
import type { Cluster, Task } from "./state.ts";
import { copyTags } from "./tags.ts";
import { stopTask } from "./task-lifecycle.ts";

const MAX_DESCRIBED = 100;
const optionalDate = (name: string, value: number | undefined) =>
  value === undefined ? {} : { [name]: new Date(value) };

function attachmentStatus(task: Task): string {
  if (task.lastStatus === "PROVISIONING") return "PRECREATED";
  if (task.lastStatus === "DEPROVISIONING") return "DETACHING";
  if (task.lastStatus === "STOPPED") return task.eni.released ? "DELETED" : "DETACHED";
  return "ATTACHED";
}

function privateDnsName(region: string, ip: string): string {
  const host = `ip-${ip.replaceAll(".", "-")}`;
  return region === "us-east-1" ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

/** A task as DescribeTasks shows it; tags only when asked for. */
export function describeTask(region: string, cluster: Cluster, task: Task, withTags: boolean): TaskShape {
  const started = task.pullStartedAt !== undefined;
  return {
    attachments: [
      {
        id: task.eni.attachmentId,
        type: "ElasticNetworkInterface",
        status: attachmentStatus(task),
        details: [
          { name: "subnetId", value: task.eni.subnetId },
          { name: "networkInterfaceId", value: task.eni.networkInterfaceId },
          { name: "macAddress", value: task.eni.macAddress },
          { name: "privateDnsName", value: privateDnsName(region, task.eni.privateIp) },
          { name: "privateIPv4Address", value: task.eni.privateIp },
        ],
      },
    ],
    attributes: [{ name: "ecs.cpu-architecture", value: "x86_64" }],
    availabilityZone: task.availabilityZone,
    clusterArn: cluster.arn,
    ...(started ? { connectivity: "CONNECTED", connectivityAt: new Date(task.pullStartedAt as number) } : {}),
    containers: task.containers.map((container) => ({
      containerArn: container.arn,
      taskArn: task.arn,
      name: container.name,
      image: container.image,
      ...(started ? { runtimeId: container.runtimeId } : {}),
      lastStatus: container.lastStatus,
      ...(container.exitCode === undefined ? {} : { exitCode: container.exitCode }),
      ...(container.reason === undefined ? {} : { reason: container.reason }),
      networkBindings: [],
      networkInterfaces: [{ attachmentId: task.eni.attachmentId, privateIpv4Address: task.eni.privateIp }],
      healthStatus: "UNKNOWN",
      cpu: "0",
    })),
    ...(task.cpu === undefined ? {} : { cpu: task.cpu }),
    ...(task.memory === undefined ? {} : { memory: task.memory }),
    createdAt: new Date(task.createdAt),
    desiredStatus: task.desiredStatus,
    enableExecuteCommand: false,
    group: task.group,
    healthStatus: "UNKNOWN",
    lastStatus: task.lastStatus,
    launchType: "FARGATE",
    overrides: {
      containerOverrides: task.containers.map((container) => ({ name: container.name })),
      inferenceAcceleratorOverrides: [],
    },
    platformVersion: task.platformVersion,
    platformFamily: "Linux",
    ...optionalDate("pullStartedAt", task.pullStartedAt),
    ...optionalDate("pullStoppedAt", task.pullStoppedAt),
    ...optionalDate("startedAt", task.startedAt),
    ...(task.startedBy === undefined ? {} : { startedBy: task.startedBy }),
    ...(task.stopCode === undefined ? {} : { stopCode: task.stopCode }),
    ...optionalDate("stoppingAt", task.stoppingAt),
    ...optionalDate("executionStoppedAt", task.executionStoppedAt),
    ...optionalDate("stoppedAt", task.stoppedAt),
    ...(task.stoppedReason === undefined ? {} : { stoppedReason: task.stoppedReason }),
    ...(withTags ? { tags: copyTags(task.tags) } : {}),
    taskArn: task.arn,
    taskDefinitionArn: task.taskDefinitionArn,
    version: task.version,
    ephemeralStorage: { sizeInGiB: 20 },
  };
}

export const taskOperations: Record<string, Operation> = {
  ListTasks(input, context) {
    const args = read(input);
    const cluster = clusterFor(context.region.ecs, args.optionalString("cluster"));
    const serviceName = args.optionalString("serviceName");
    if (serviceName !== undefined && !cluster.services.has(serviceName)) throw serviceNotFound();
    const family = args.optionalString("family");
    const startedBy = args.optionalString("startedBy");
    const launchType = args.optionalString("launchType");
    const desiredStatus = args.optionalString("desiredStatus") ?? "RUNNING";
    if (!["RUNNING", "PENDING", "STOPPED"].includes(desiredStatus))
      throw invalidParameter(`Invalid desiredStatus: ${desiredStatus}`);
    const limit = maxResults(input, 100);
    const arns = [...cluster.tasks.values()]
      .filter(
        (task) =>
          // A task is never desired PENDING: that filter finds nothing, as in AWS.
          task.desiredStatus === desiredStatus &&
          (serviceName === undefined || task.group === `service:${serviceName}`) &&
          (family === undefined || task.taskDefinitionArn.includes(`:task-definition/${family}:`)) &&
          (startedBy === undefined || task.startedBy === startedBy) &&
          (launchType === undefined || launchType === "FARGATE"),
      )
      .map((task) => task.arn);
    const { page, nextToken } = paginate(arns, args.optionalString("nextToken"), limit);
    return { taskArns: page, nextToken };
  },

  DescribeTasks(input, context) {
    const args = read(input);
    const cluster = clusterFor(context.region.ecs, args.optionalString("cluster"));
    const references = args.stringList("tasks");
    if (references.length === 0) throw invalidParameter("tasks can not be empty.");
    if (references.length > MAX_DESCRIBED)
      throw invalidParameter(`tasks can have at most ${MAX_DESCRIBED} items.`);
    const withTags = args.stringList("include").includes("TAGS");
    const tasks: TaskShape[] = [];
    const failures: { arn: string; reason: string }[] = [];
    for (const reference of references) {
      const id = taskIdOf(reference);
      const task = cluster.tasks.get(id);
      if (task) tasks.push(describeTask(context.region.name, cluster, task, withTags));
      else failures.push({ arn: taskArn(context.region.name, cluster.name, id), reason: "MISSING" });
    }
    return { tasks, failures };
  },

  StopTask(input, context) {
    const args = read(input);
    const cluster = clusterFor(context.region.ecs, args.optionalString("cluster"));
    const task = cluster.tasks.get(taskIdOf(args.string("task")));
    if (!task) throw invalidParameter("The referenced task was not found.");
    const reason = args.optionalString("reason");
    if (reason !== undefined && reason.length > 1024)
      throw invalidParameter("reason can be at most 1024 characters.");
    stopTask(ecsContext(context.world, context.region, context.now), cluster, task, {
      code: "UserInitiated",
      reason: reason ?? "Task stopped by user",
      failure: false,
    });
    return { task: describeTask(context.region.name, cluster, task, false) };
  },
};
