/**
 * What an on-call engineer asks of a running service, read for `status`: its recent ECS service events,
 * its tasks (revision, health as the load balancer sees it, when started, why stopped) and where
 * autoscaling stands (the count against its bounds, the last scaling activity). Reads only.
 */
import { DescribeScalingActivitiesCommand } from "@aws-sdk/client-application-auto-scaling";
import { DescribeTasksCommand, ListTasksCommand, type Task } from "@aws-sdk/client-ecs";
import { DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AwsClients } from "../aws/clients.ts";
import { isNotFound } from "../aws/errors.ts";
import type { ObservedScalableTarget } from "../resources/scaling/scaling.ts";
import type { ObservedService } from "../resources/service/service.ts";
import { revisionName } from "../resources/task-definition/task-definition.ts";
import { redactSecretArns } from "./plan.ts";

/** Events listed, newest first: ECS keeps the last 100, the last few say what is going on. */
export const RECENT_EVENTS = 10;
/** Stopped tasks listed, newest first (ECS lists stopped tasks for about an hour). */
export const RECENT_STOPPED_TASKS = 5;

export interface ServiceEvent {
  at: string;
  message: string;
}

export interface TaskSummary {
  id: string;
  /** `family:revision`. */
  revision: string;
  /** ECS's lastStatus: PROVISIONING, PENDING, RUNNING, DEPROVISIONING, STOPPED… */
  status: string;
  /** The load balancer's view of the task (healthy, initial, unhealthy, draining), else ECS's health status. */
  health: string;
  startedAt: string | undefined;
  stoppedAt: string | undefined;
  stoppedReason: string | undefined;
}

export interface AutoscalingState {
  desired: number;
  min: number;
  max: number;
  lastActivity: { at: string; description: string; cause: string; status: string } | undefined;
}

export interface ServiceActivity {
  events: ServiceEvent[];
  /** Running (and starting) tasks first, then the latest stopped ones. */
  tasks: TaskSummary[];
  /** Absent without a scalable target. */
  autoscaling: AutoscalingState | undefined;
}

/** Reads the service's events, tasks and autoscaling state. */
export async function readServiceActivity(
  clients: AwsClients,
  where: {
    cluster: string;
    service: ObservedService;
    targetGroupArn: string | undefined;
    scalableTarget: ObservedScalableTarget | undefined;
  },
): Promise<ServiceActivity> {
  const [tasks, autoscaling] = await Promise.all([
    readTasks(clients, where.cluster, where.service.name, where.targetGroupArn),
    where.scalableTarget
      ? readAutoscaling(clients, where.scalableTarget, where.service.desiredCount)
      : Promise.resolve(undefined),
  ]);
  const events = (where.service.events ?? []).slice(0, RECENT_EVENTS).map((event) => ({
    at: event.createdAt?.toISOString() ?? "",
    message: redactSecretArns(event.message ?? ""),
  }));
  return { events, tasks, autoscaling };
}

async function readTasks(
  clients: AwsClients,
  cluster: string,
  service: string,
  targetGroupArn: string | undefined,
): Promise<TaskSummary[]> {
  const list = (desiredStatus: "RUNNING" | "STOPPED") =>
    clients.ecs
      .send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus }))
      .then((answer) => answer.taskArns ?? []);
  const [running, stopped, health] = await Promise.all([
    list("RUNNING"),
    list("STOPPED"),
    targetHealthByIp(clients, targetGroupArn),
  ]);
  const arns = [...running, ...stopped].slice(0, 100);
  if (arns.length === 0) return [];
  const { tasks = [] } = await clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }));
  const newestFirst = (a: Task, b: Task) =>
    (b.stoppedAt ?? b.createdAt ?? new Date(0)).getTime() -
    (a.stoppedAt ?? a.createdAt ?? new Date(0)).getTime();
  const live = tasks.filter((task) => task.desiredStatus !== "STOPPED").sort(newestFirst);
  const ended = tasks
    .filter((task) => task.desiredStatus === "STOPPED")
    .sort(newestFirst)
    .slice(0, RECENT_STOPPED_TASKS);
  return [...live, ...ended].map((task) => summarize(task, health));
}

function summarize(task: Task, targetHealth: Map<string, string>): TaskSummary {
  const ip = task.attachments
    ?.flatMap((attachment) => attachment.details ?? [])
    .find((detail) => detail.name === "privateIPv4Address")?.value;
  const ecsHealth =
    task.healthStatus && task.healthStatus !== "UNKNOWN" ? task.healthStatus.toLowerCase() : "-";
  return {
    id: task.taskArn?.split("/").pop() ?? "",
    revision: revisionName(task.taskDefinitionArn ?? ""),
    status: task.lastStatus ?? "",
    health: (ip && targetHealth.get(ip)) || ecsHealth,
    startedAt: task.startedAt?.toISOString(),
    stoppedAt: task.stoppedAt?.toISOString(),
    // Stop reasons quote the secret a task could not fetch: never let its ARN through.
    stoppedReason: task.stoppedReason === undefined ? undefined : redactSecretArns(task.stoppedReason),
  };
}

/** Target state by the target's IP (Fargate tasks register by IP). */
async function targetHealthByIp(
  clients: AwsClients,
  targetGroupArn: string | undefined,
): Promise<Map<string, string>> {
  const byIp = new Map<string, string>();
  if (!targetGroupArn) return byIp;
  const { TargetHealthDescriptions = [] } = await clients.elbv2
    .send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }))
    .catch((error: unknown) => {
      if (isNotFound(error)) return { TargetHealthDescriptions: [] };
      throw error;
    });
  for (const description of TargetHealthDescriptions) {
    const ip = description.Target?.Id;
    if (ip) byIp.set(ip, description.TargetHealth?.State ?? "unknown");
  }
  return byIp;
}

async function readAutoscaling(
  clients: AwsClients,
  target: ObservedScalableTarget,
  desired: number,
): Promise<AutoscalingState> {
  const { ScalingActivities = [] } = await clients.autoscaling.send(
    new DescribeScalingActivitiesCommand({
      ServiceNamespace: "ecs",
      ResourceId: target.resourceId,
      ScalableDimension: "ecs:service:DesiredCount",
      MaxResults: 1,
    }),
  );
  const last = ScalingActivities[0];
  return {
    desired,
    min: target.minCapacity,
    max: target.maxCapacity,
    lastActivity: last && {
      at: last.StartTime?.toISOString() ?? "",
      description: last.Description ?? "",
      cause: last.Cause ?? "",
      status: last.StatusCode ?? "",
    },
  };
}
