/**
 * Where a service's deployment stands: deployments and their rollout state, task counts, target
 * health, and — when it failed — why, from the stopped tasks. A rollback by the circuit breaker is a
 * failure, never a success.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Service,
} from "@aws-sdk/client-ecs";
import { DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AwsClients } from "../aws/clients.ts";
import { isNotFound } from "../aws/errors.ts";
import type { ObservedService } from "../resources/service/service.ts";
import { revisionName } from "../resources/task-definition/task-definition.ts";
import { redactSecretArns } from "./plan.ts";

export interface DeploymentState {
  id: string;
  status: string;
  taskDefinition: string;
  rolloutState: string | undefined;
  rolloutStateReason: string | undefined;
  desired: number;
  running: number;
  pending: number;
  failedTasks: number;
}

export interface RolloutState {
  status: string;
  taskDefinition: string;
  desired: number;
  running: number;
  pending: number;
  deployments: DeploymentState[];
  /** Target states by count, e.g. `{ healthy: 2, initial: 1 }`. */
  targets: Record<string, number>;
  /** One COMPLETED deployment of the expected revision, every task running and every target healthy. */
  stable: boolean;
  /** One COMPLETED deployment, every task running and every target healthy, whichever revision it runs. */
  steady: boolean;
  /** Set when the rollout failed or was rolled back. */
  failure: string | undefined;
  /** The revision whose rollout failed. */
  failedTaskDefinition: string | undefined;
  /** Whether a rollback deployment already replaced the failed one. */
  rolledBack: boolean;
}

/** Why tasks of the service stopped recently (distinct reasons, newest first). */
async function stoppedReasons(clients: AwsClients, cluster: string, service: string): Promise<string[]> {
  const { taskArns = [] } = await clients.ecs.send(
    new ListTasksCommand({ cluster, serviceName: service, desiredStatus: "STOPPED" }),
  );
  if (taskArns.length === 0) return [];
  const { tasks = [] } = await clients.ecs.send(
    new DescribeTasksCommand({ cluster, tasks: taskArns.slice(0, 100) }),
  );
  const reasons = tasks
    .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))
    .map((task) => task.stoppedReason ?? task.stopCode ?? "")
    // Tasks a deployment stopped on purpose are not why it failed.
    .filter((reason) => reason !== "" && !reason.startsWith("Scaling activity initiated by"));
  return [...new Set(reasons)];
}

/** What a rollout is read from: the service as DescribeServices describes it. */
export type ServiceRecord = Pick<
  Service,
  "status" | "taskDefinition" | "desiredCount" | "runningCount" | "pendingCount" | "deployments"
>;

/** What the caller already knows to be current, so the read need not ask AWS again. */
export interface KnownRolloutFacts {
  /** The service as this pass observed it, when nothing changed it since. */
  service?: ServiceRecord;
  /** The target group's targets by state, when they are known to be current. */
  targets?: Record<string, number>;
}

/** The observation's copy of a service, as a rollout reads it. */
export const serviceRecordOf = (observed: ObservedService): ServiceRecord => ({
  status: observed.status,
  taskDefinition: observed.settings.taskDefinition,
  desiredCount: observed.desiredCount,
  runningCount: observed.runningCount,
  pendingCount: observed.pendingCount,
  deployments: observed.deployments,
});

async function describeService(
  clients: AwsClients,
  cluster: string,
  service: string,
): Promise<ServiceRecord | undefined> {
  const { services = [] } = await clients.ecs
    .send(new DescribeServicesCommand({ cluster, services: [service] }))
    .catch((error: unknown) => {
      if (isNotFound(error)) return { services: [] };
      throw error;
    });
  return services.find((candidate) => candidate.serviceName === service && candidate.status !== "INACTIVE");
}

/**
 * Reads the rollout of a service; `expectedTaskDefinition` is the revision the last apply asked for.
 * What `known` holds is not asked again (a converged pass has just described the service).
 */
export async function readRollout(
  clients: AwsClients,
  cluster: string,
  service: string,
  targetGroupArn: string | undefined,
  expectedTaskDefinition?: string,
  known: KnownRolloutFacts = {},
): Promise<RolloutState | undefined> {
  const found = known.service ?? (await describeService(clients, cluster, service));
  if (!found) return undefined;

  const targets: Record<string, number> = { ...known.targets };
  if (targetGroupArn && !known.targets) {
    const { TargetHealthDescriptions = [] } = await clients.elbv2
      .send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }))
      .catch((error: unknown) => {
        if (isNotFound(error)) return { TargetHealthDescriptions: [] };
        throw error;
      });
    for (const description of TargetHealthDescriptions) {
      const state = description.TargetHealth?.State ?? "unknown";
      targets[state] = (targets[state] ?? 0) + 1;
    }
  }

  const deployments: DeploymentState[] = (found.deployments ?? []).map((deployment) => ({
    id: deployment.id ?? "",
    status: deployment.status ?? "",
    taskDefinition: deployment.taskDefinition ?? "",
    rolloutState: deployment.rolloutState,
    rolloutStateReason: deployment.rolloutStateReason,
    desired: deployment.desiredCount ?? 0,
    running: deployment.runningCount ?? 0,
    pending: deployment.pendingCount ?? 0,
    failedTasks: deployment.failedTasks ?? 0,
  }));
  const primary = deployments.find((deployment) => deployment.status === "PRIMARY");
  const desired = found.desiredCount ?? 0;
  const running = found.runningCount ?? 0;

  let failure: string | undefined;
  let failedTaskDefinition: string | undefined;
  const failed = deployments.find((deployment) => deployment.rolloutState === "FAILED");
  const rolledBack =
    expectedTaskDefinition !== undefined &&
    primary !== undefined &&
    primary.taskDefinition !== expectedTaskDefinition;
  if (failed || rolledBack) {
    const what = rolledBack
      ? `the deployment of ${revisionName(expectedTaskDefinition ?? "")} failed and was rolled back to ${revisionName(primary?.taskDefinition ?? "")}`
      : `the deployment of ${revisionName(failed?.taskDefinition ?? "")} failed`;
    const reasons = await stoppedReasons(clients, cluster, service);
    const detail = [
      failed?.rolloutStateReason,
      ...reasons.slice(0, 3).map((reason) => `stopped task: ${reason}`),
    ].filter(Boolean);
    // Stop reasons quote the secret a task could not fetch: never let its ARN through.
    failure = redactSecretArns(detail.length > 0 ? `${what}: ${detail.join("; ")}` : what);
    failedTaskDefinition = rolledBack ? expectedTaskDefinition : failed?.taskDefinition;
  }

  const healthy = targets.healthy ?? 0;
  const steady =
    deployments.length === 1 &&
    primary !== undefined &&
    (primary.rolloutState === undefined || primary.rolloutState === "COMPLETED") &&
    running === desired &&
    (targetGroupArn === undefined || healthy === desired);
  const stable = failure === undefined && steady;
  return {
    status: found.status ?? "",
    taskDefinition: found.taskDefinition ?? "",
    desired,
    running,
    pending: found.pendingCount ?? 0,
    deployments,
    targets,
    stable,
    steady,
    failure,
    failedTaskDefinition,
    rolledBack,
  };
}

/**
 * Why a held-back revision's rollout failed, as far as ECS still tells (its stopped tasks are
 * described for about an hour); undefined when the service is gone.
 */
export async function heldBackFailure(
  clients: AwsClients,
  cluster: string,
  service: string,
  heldBackArn: string,
): Promise<string | undefined> {
  return (await readRollout(clients, cluster, service, undefined, heldBackArn))?.failure;
}

/** Polls until the service is stable; throws when the rollout fails, is rolled back, or the timeout passes. */
export async function waitForStable(
  clients: AwsClients,
  where: {
    cluster: string;
    service: string;
    targetGroupArn: string | undefined;
    taskDefinition: string | undefined;
    /** The circuit breaker rolls back: a failure is reported once the rollback has begun. */
    rollback: boolean;
  },
  timeoutMs: number,
  onProgress: (state: RolloutState) => void,
  pollMs = 5000,
): Promise<RolloutState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await readRollout(
      clients,
      where.cluster,
      where.service,
      where.targetGroupArn,
      where.taskDefinition,
    );
    if (!state) throw new Error(`service ${where.service} does not exist in cluster ${where.cluster}`);
    onProgress(state);
    const timedOut = Date.now() + pollMs > deadline;
    if (state.failure && (state.rolledBack || !where.rollback || timedOut))
      throw new RolloutFailedError(where.service, state);
    if (state.stable) return state;
    if (timedOut) {
      throw new Error(
        `service ${where.service} is not stable after ${Math.round(timeoutMs / 1000)} s: ${state.running}/${state.desired} running, ${state.targets.healthy ?? 0} healthy targets`,
      );
    }
    await sleep(pollMs);
  }
}

export class RolloutFailedError extends Error {
  readonly state: RolloutState;

  constructor(service: string, state: RolloutState) {
    super(`service ${service}: ${state.failure}`);
    this.name = "RolloutFailedError";
    this.state = state;
  }
}
