/**
 * ECS state of one region: clusters with their services and tasks, task definition families, and the
 * runtime that runs the tasks' containers. Times are epoch milliseconds; outputs turn them into Dates.
 */
import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { DueQueue } from "../../due-queue.ts";
import type { Random } from "../../random.ts";
import type { TaskRuntime } from "./runtime/task-runtime.ts";
import type { ServiceTable } from "./service-table.ts";
import type { TaskTable } from "./task-table.ts";

export interface Tag {
  key: string;
  value: string;
}

export interface EcsState {
  clusters: Map<string, Cluster>;
  /** Revisions by family, in registration order (revision N at index N - 1). */
  families: Map<string, TaskDefinitionRevision[]>;
  /** Created on first use with the world's timings (see `runtimeOf`); replaceable by another runtime. */
  runtime: TaskRuntime | undefined;
  /** The simulated time of the last tick: "now" for callers that are not given one. */
  lastTickAt: number;
  /** When each task next has something to do: a tick advances only those (see task-wakeups.ts). */
  wakeups: DueQueue<Task>;
  /** Services the scheduler visits on every tick until they settle (see unsettled-services.ts). */
  unsettledServices: Set<Service>;
}

export interface Cluster {
  name: string;
  arn: string;
  status: "ACTIVE" | "INACTIVE";
  tags: Tag[];
  settings: { name: "containerInsights"; value: string }[];
  /** By name, in creation order. */
  services: ServiceTable;
  /** By task id, with indexes by service and by IP. */
  tasks: TaskTable;
}

export interface LogSettings {
  group: string;
  region: string;
  streamPrefix: string;
}

/** The parts of a container definition the scheduler and the runtime act on. */
export interface ContainerSpec {
  name: string;
  image: string;
  essential: boolean;
  containerPorts: number[];
  stopTimeoutSeconds: number | undefined;
  environment: Record<string, string>;
  /** Names of the `secrets` (their values come from ARNs the emulator cannot resolve). */
  secretNames: string[];
  /** awslogs settings, when the container logs to CloudWatch. */
  logs: LogSettings | undefined;
}

export interface TaskDefinitionRevision {
  arn: string;
  family: string;
  revision: number;
  status: "ACTIVE" | "INACTIVE";
  registeredAt: number;
  deregisteredAt: number | undefined;
  tags: Tag[];
  cpu: string | undefined;
  memory: string | undefined;
  networkMode: string;
  fargateCompatible: boolean;
  containers: ContainerSpec[];
  /** The definition as DescribeTaskDefinition returns it, server defaults filled in, minus the timestamps. */
  body: TaskDefinition;
}

export interface NetworkSettings {
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: "ENABLED" | "DISABLED";
}

export interface LoadBalancerBinding {
  targetGroupArn: string;
  containerName: string;
  containerPort: number;
}

export interface CircuitBreakerSettings {
  enable: boolean;
  rollback: boolean;
  /** Unset: AWS's default (true), and the field is not echoed back. */
  resetOnHealthyTask: boolean | undefined;
  threshold: { type: "COUNT" | "BOUNDED_PERCENT" | "UNBOUNDED_PERCENT"; value: number } | undefined;
}

export interface DeploymentSettings {
  minimumHealthyPercent: number;
  maximumPercent: number;
  circuitBreaker: CircuitBreakerSettings;
}

/** What a deployment rolls out: the service revision its tasks run. */
export interface ServiceRevision {
  taskDefinitionArn: string;
  network: NetworkSettings;
  loadBalancers: LoadBalancerBinding[];
  platformVersion: string;
}

export type RolloutState = "IN_PROGRESS" | "COMPLETED" | "FAILED";

export interface Deployment extends ServiceRevision {
  /** `ecs-svc/` and 19 digits. */
  id: string;
  status: "PRIMARY" | "ACTIVE" | "INACTIVE";
  desiredCount: number;
  /** Consecutive failed tasks (reset when a task turns healthy, unless the circuit breaker says otherwise). */
  failedTasks: number;
  rolloutState: RolloutState;
  rolloutStateReason: string;
  createdAt: number;
  updatedAt: number;
  /** Set on a deployment the circuit breaker started to roll back: it is never rolled back itself. */
  rollbackTo: string | undefined;
}

export interface ServiceEvent {
  id: string;
  createdAt: number;
  message: string;
}

export interface Service {
  /** Tells apart services that reuse a name (a new one may replace an INACTIVE one); tasks carry it. */
  incarnation: string;
  arn: string;
  name: string;
  clusterName: string;
  status: "ACTIVE" | "DRAINING" | "INACTIVE";
  desiredCount: number;
  /** EC2 services are accepted like AWS does, but without container instances their tasks never place. */
  launchType: "FARGATE" | "EC2";
  platformVersion: string;
  taskDefinitionArn: string;
  deploymentSettings: DeploymentSettings;
  network: NetworkSettings;
  loadBalancers: LoadBalancerBinding[];
  healthCheckGracePeriodSeconds: number;
  propagateTags: "NONE" | "SERVICE" | "TASK_DEFINITION";
  enableECSManagedTags: boolean;
  enableExecuteCommand: boolean;
  tags: Tag[];
  clientToken: string | undefined;
  createdAt: number;
  /** The PRIMARY deployment first. */
  deployments: Deployment[];
  /** Newest first, at most 100, like AWS. */
  events: ServiceEvent[];
  /** The last deployment that reached COMPLETED: what the circuit breaker rolls back to. */
  lastCompleted: (ServiceRevision & { id: string }) | undefined;
  /** Whether the "has reached a steady state" event was sent for the current state. */
  steady: boolean;
  /** After a task could not be placed (no ENI), launches wait until then. */
  launchRetryAt: number;
}

export type TaskStatus =
  | "PROVISIONING"
  | "PENDING"
  | "ACTIVATING"
  | "RUNNING"
  | "DEACTIVATING"
  | "STOPPING"
  | "DEPROVISIONING"
  | "STOPPED";

export interface TaskContainer {
  name: string;
  arn: string;
  image: string;
  runtimeId: string;
  essential: boolean;
  lastStatus: "PENDING" | "RUNNING" | "STOPPED";
  exitCode: number | undefined;
  reason: string | undefined;
  logs: LogSettings | undefined;
}

export interface TaskEni {
  attachmentId: string;
  networkInterfaceId: string;
  subnetId: string;
  privateIp: string;
  macAddress: string;
  /** When EC2 deletes the interface (set once the task is STOPPED). */
  releaseAt: number | undefined;
  released: boolean;
}

export type StopCode =
  | "TaskFailedToStart"
  | "EssentialContainerExited"
  | "UserInitiated"
  | "ServiceSchedulerInitiated";

export interface Task {
  id: string;
  arn: string;
  clusterName: string;
  /** The service that launched the task (name and incarnation), and the deployment it belongs to. */
  serviceName: string | undefined;
  serviceIncarnation: string | undefined;
  deploymentId: string | undefined;
  group: string;
  startedBy: string | undefined;
  taskDefinitionArn: string;
  cpu: string | undefined;
  memory: string | undefined;
  platformVersion: string;
  availabilityZone: string;
  lastStatus: TaskStatus;
  desiredStatus: "RUNNING" | "STOPPED";
  /** When the current transitional status (PROVISIONING, ACTIVATING, DEPROVISIONING) ends. */
  statusUntil: number | undefined;
  containers: TaskContainer[];
  eni: TaskEni;
  /** Where the task is registered as a target (cleared once deregistered). */
  targets: LoadBalancerBinding[];
  /** The load balancer bindings of its deployment, used at ACTIVATING. */
  loadBalancers: LoadBalancerBinding[];
  /** Whether the task was ever healthy (then a later failure does not count against its deployment). */
  becameHealthy: boolean;
  stopCode: StopCode | undefined;
  stoppedReason: string | undefined;
  createdAt: number;
  pullStartedAt: number | undefined;
  pullStoppedAt: number | undefined;
  startedAt: number | undefined;
  stoppingAt: number | undefined;
  executionStoppedAt: number | undefined;
  stoppedAt: number | undefined;
  /** Bumped on every status change, like AWS's `version`. */
  version: number;
  tags: Tag[];
}

export function createEcsState(_region: string, _random: Random): EcsState {
  return {
    clusters: new Map(),
    families: new Map(),
    runtime: undefined,
    lastTickAt: 0,
    wakeups: new DueQueue(),
    unsettledServices: new Set(),
  };
}
