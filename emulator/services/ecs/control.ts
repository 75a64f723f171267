/**
 * ECS's routes in the emulator's control API (under /_emulator/ecs/, region from `?region=`), each
 * backed by an in-process function tests can call directly: set a service's CPU load, stop, crash or
 * sicken a task, make an image fail, list tasks.
 */
import { ControlError, type ControlRoute, numberField } from "../../control.ts";
import { DEFAULT_REGION } from "../../identity.ts";
import type { RegionState, World } from "../../world.ts";
import { taskIdOf } from "./arns.ts";
import { ecsContext } from "./context.ts";
import { processRuntimeOf, simulatedRuntimeOf } from "./runtime/runtime-of.ts";
import type { ImageBehaviour, SimulatedRuntime } from "./runtime/simulated-runtime.ts";
import type { Cluster, Task } from "./state.ts";
import { stopTask, workloadOf } from "./task-lifecycle.ts";

/** Names a task: its cluster and its id or ARN (region: us-east-1 unless given). */
export interface TaskRef {
  region?: string;
  cluster: string;
  task: string;
}

export interface ServiceRef {
  region?: string;
  cluster: string;
  service: string;
}

/** What the control API lists about a task. */
export interface TaskSummary {
  taskArn: string;
  cluster: string;
  service: string | undefined;
  deploymentId: string | undefined;
  taskDefinitionArn: string;
  lastStatus: string;
  desiredStatus: string;
  privateIp: string;
  availabilityZone: string;
  stoppedReason: string | undefined;
}

const FAILURES = new Set(["pull", "crash", "unhealthy"]);

function regionOf(world: World, name: string | undefined): RegionState {
  return world.region(name ?? DEFAULT_REGION);
}

function simulatedRuntime(world: World, region: RegionState): SimulatedRuntime {
  const runtime = simulatedRuntimeOf(region, world.timings);
  if (!runtime) throw new ControlError(409, "this control needs the simulated task runtime");
  return runtime;
}

function clusterNamed(region: RegionState, name: string): Cluster {
  const cluster = region.ecs.clusters.get(name);
  if (!cluster) throw new ControlError(404, `no cluster ${name}`);
  return cluster;
}

function taskFor(world: World, ref: TaskRef): { region: RegionState; cluster: Cluster; task: Task } {
  const region = regionOf(world, ref.region);
  const cluster = clusterNamed(region, ref.cluster);
  const task = cluster.tasks.get(taskIdOf(ref.task));
  if (!task) throw new ControlError(404, `no task ${ref.task} in cluster ${ref.cluster}`);
  return { region, cluster, task };
}

/** Sets the CPU a service's tasks use: `percent` on average at `tasks` tasks (default: its desired count now), less with more tasks. */
export function setServiceCpu(world: World, ref: ServiceRef, percent: number, tasks?: number): void {
  const region = regionOf(world, ref.region);
  const service = clusterNamed(region, ref.cluster).services.get(ref.service);
  if (!service) throw new ControlError(404, `no service ${ref.service} in cluster ${ref.cluster}`);
  if (!(percent >= 0)) throw new ControlError(400, "percent must be at least 0");
  const spreadOver = tasks ?? Math.max(1, service.desiredCount);
  simulatedRuntime(world, region).setWorkload(workloadOf(ref.cluster, `service:${ref.service}`), {
    percent,
    tasks: spreadOver,
  });
}

/** Stops a task as StopTask does (the service replaces it). */
export function stopEcsTask(world: World, ref: TaskRef, reason = "Task stopped by user"): void {
  const { region, cluster, task } = taskFor(world, ref);
  stopTask(ecsContext(world, region, world.time), cluster, task, {
    code: "UserInitiated",
    reason,
    failure: false,
  });
}

/** Makes the task's essential containers exit with `exitCode` (137: killed for memory). */
export function crashTask(world: World, ref: TaskRef, exitCode = 1): void {
  const { region, task } = taskFor(world, ref);
  // Its containers exit now: the scheduler must look at it on the next tick.
  region.ecs.wakeups.wake(task, world.time);
  // A real process dies the way an OOM kill ends it: SIGKILL, exit code 137.
  const processes = processRuntimeOf(region);
  if (processes?.owns(task.arn)) {
    if (!processes.crash(task.arn)) throw new ControlError(409, `task ${ref.task} has no running containers`);
    return;
  }
  if (!simulatedRuntime(world, region).crash(task.arn, world.time, exitCode))
    throw new ControlError(409, `task ${ref.task} has no running containers`);
}

/** Makes a task fail (or pass again) its load balancer health checks. */
export function setTaskHealth(world: World, ref: TaskRef, healthy: boolean): void {
  const { region, task } = taskFor(world, ref);
  if (!simulatedRuntime(world, region).setUnhealthy(task.arn, !healthy))
    throw new ControlError(409, `task ${ref.task} has no running containers`);
}

/** Makes every task started from `image` behave so from now on (undefined: normal again). */
export function setImageBehaviour(
  world: World,
  image: string,
  behaviour: ImageBehaviour | undefined,
  regionName?: string,
): void {
  simulatedRuntime(world, regionOf(world, regionName)).setImageBehaviour(image, behaviour);
}

/** The tasks of a region, optionally of one cluster and service, stopped ones included. */
export function listEcsTasks(
  world: World,
  filter: { region?: string; cluster?: string; service?: string } = {},
): TaskSummary[] {
  const region = regionOf(world, filter.region);
  return [...region.ecs.clusters.values()]
    .filter((cluster) => filter.cluster === undefined || cluster.name === filter.cluster)
    .flatMap((cluster) => [...cluster.tasks.values()])
    .filter((task) => filter.service === undefined || task.serviceName === filter.service)
    .map((task) => ({
      taskArn: task.arn,
      cluster: task.clusterName,
      service: task.serviceName,
      deploymentId: task.deploymentId,
      taskDefinitionArn: task.taskDefinitionArn,
      lastStatus: task.lastStatus,
      desiredStatus: task.desiredStatus,
      privateIp: task.eni.privateIp,
      availabilityZone: task.availabilityZone,
      stoppedReason: task.stoppedReason,
    }));
}

const field = (body: unknown, name: string): unknown =>
  (body as Record<string, unknown> | null | undefined)?.[name];

function optionalNumber(body: unknown, name: string): number | undefined {
  return field(body, name) === undefined ? undefined : numberField(body, name);
}

function readBehaviour(body: unknown): ImageBehaviour | undefined {
  const failure = field(body, "failure");
  if (failure !== undefined && failure !== null && !FAILURES.has(failure as string))
    throw new ControlError(400, 'failure must be "pull", "crash", "unhealthy" or null');
  const bootMs = optionalNumber(body, "bootMs");
  const exitCode = optionalNumber(body, "exitCode");
  if ((failure === undefined || failure === null) && bootMs === undefined) return undefined;
  return {
    ...(failure === undefined || failure === null ? {} : { failure: failure as ImageBehaviour["failure"] }),
    ...(bootMs === undefined ? {} : { bootMs }),
    ...(exitCode === undefined ? {} : { exitCode }),
  };
}

const TASK_PATH = "^/ecs/tasks/(?<cluster>[^/]+)/(?<task>[^/]+)";

export function ecsControlRoutes(world: World): ControlRoute[] {
  const regionParam = (query: URLSearchParams) => query.get("region") ?? undefined;
  const taskRef = (query: URLSearchParams, params: Record<string, string>): TaskRef => ({
    region: regionParam(query),
    cluster: params.cluster as string,
    task: decodeURIComponent(params.task as string),
  });
  return [
    {
      method: "POST",
      path: /^\/ecs\/services\/(?<cluster>[^/]+)\/(?<service>[^/]+)\/cpu$/,
      handle: ({ query, body }, params) => {
        const ref = {
          region: regionParam(query),
          cluster: params.cluster as string,
          service: params.service as string,
        };
        setServiceCpu(world, ref, numberField(body, "percent"), optionalNumber(body, "tasks"));
        return { ok: true };
      },
    },
    {
      method: "POST",
      path: new RegExp(`${TASK_PATH}/stop$`),
      handle: ({ query, body }, params) => {
        const reason = field(body, "reason");
        stopEcsTask(world, taskRef(query, params), typeof reason === "string" ? reason : undefined);
        return { ok: true };
      },
    },
    {
      method: "POST",
      path: new RegExp(`${TASK_PATH}/crash$`),
      handle: ({ query, body }, params) => {
        crashTask(world, taskRef(query, params), optionalNumber(body, "exitCode"));
        return { ok: true };
      },
    },
    {
      method: "POST",
      path: new RegExp(`${TASK_PATH}/health$`),
      handle: ({ query, body }, params) => {
        const healthy = field(body, "healthy");
        if (typeof healthy !== "boolean")
          throw new ControlError(400, 'body field "healthy" must be true or false');
        setTaskHealth(world, taskRef(query, params), healthy);
        return { ok: true };
      },
    },
    {
      method: "POST",
      path: /^\/ecs\/images$/,
      handle: ({ query, body }) => {
        const image = field(body, "image");
        if (typeof image !== "string" || image === "")
          throw new ControlError(400, 'body field "image" must be a string');
        setImageBehaviour(world, image, readBehaviour(body), regionParam(query));
        return { ok: true };
      },
    },
    {
      method: "GET",
      path: /^\/ecs\/tasks$/,
      handle: ({ query }) => ({
        tasks: listEcsTasks(world, {
          region: regionParam(query),
          cluster: query.get("cluster") ?? undefined,
          service: query.get("service") ?? undefined,
        }),
      }),
    },
  ];
}
