/**
 * The seam between the ECS scheduler and whatever runs a task's containers. The scheduler owns the
 * task's AWS-visible state (lastStatus, ENI, targets); the runtime owns the containers: it starts
 * them, stops them, says what they are doing, answers the load balancer's health checks and reports
 * CPU and output. Every method returns at once: a runtime backed by real processes starts them
 * asynchronously and answers from what it last observed (a cached probe result, a process's exit).
 */

export interface RuntimeContainer {
  name: string;
  image: string;
  essential: boolean;
  /** The container ports the task definition maps (the load balancer probes these). */
  ports: number[];
  /** Seconds between SIGTERM and SIGKILL. */
  stopTimeoutSeconds: number;
  environment: Record<string, string>;
  /** Names of the container's secrets; a runtime never sees their ARNs (it passes placeholder values). */
  secretNames: string[];
}

export interface RuntimeTask {
  taskArn: string;
  /** Tasks that share a workload (`service:{name}` within a cluster); the simulated CPU load is spread over them. */
  workload: string;
  /** The task's private IP (its ENI). */
  ip: string;
  /** The task's CPU reservation in units (1024 = one vCPU): the 100 % of `cpuPercent`. */
  cpuUnits: number;
  containers: RuntimeContainer[];
}

/** What a container is doing, as far as the runtime last knew. */
export type ContainerStatus =
  | { phase: "starting" }
  | { phase: "running" }
  /** Never started: the image could not be pulled, the entry point does not exist. */
  | { phase: "failed"; reason: string }
  /** Ran and stopped; no exit code when it was stopped before its process started. */
  | { phase: "exited"; exitCode?: number; reason?: string };

/** How the load balancer checks a target: the target group's timeout and success codes. */
export interface HealthCheckRequest {
  /** The target group's `HealthCheckTimeoutSeconds`, in simulated milliseconds. */
  timeoutMs: number;
  /** The target group's `Matcher.HttpCode`: `200`, `200-299`, `200,202`. */
  httpCodes: string;
}

/** A health check's verdict: true when healthy, else false or why it failed (the load balancer's reason code). */
export type ProbeAnswer =
  | boolean
  | {
      reason: "Target.FailedHealthChecks" | "Target.ResponseCodeMismatch" | "Target.Timeout";
      description: string;
    };

/** A line a container wrote to stdout/stderr, for its log driver. */
export interface ContainerOutput {
  container: string;
  timestamp: number;
  message: string;
}

export interface TaskRuntime {
  /** Starts the task's containers (pull, create, start). Called once, when the task enters PENDING. */
  start(task: RuntimeTask, now: number): void;
  /** Sends SIGTERM to every container still running; the runtime sends SIGKILL after their stop timeout. */
  stop(taskArn: string, now: number): void;
  /** The container's status at `now`; `starting` for a task the runtime never saw. */
  status(taskArn: string, container: string, now: number): ContainerStatus;
  /**
   * The load balancer's health check of `port` at `path`: true when the container serving that port
   * answers healthy. A runtime of real processes answers with its last finished check and starts the next.
   */
  probe(taskArn: string, port: number, path: string, now: number, check: HealthCheckRequest): ProbeAnswer;
  /** The task's CPU utilisation in percent of its reservation, or undefined when it is not running. */
  cpuPercent(taskArn: string, now: number): number | undefined;
  /** Output written up to `now` and not taken yet. */
  takeOutput(taskArn: string, now: number): ContainerOutput[];
  /** Forgets a task whose containers have all exited. */
  forget(taskArn: string): void;
  /**
   * The earliest simulated time after `now` at which `status` or `takeOutput` may answer otherwise by
   * themselves (Infinity: not until told something), so the scheduler leaves a quiet task alone until
   * then. Absent, or undefined for a task, when the runtime cannot tell (real processes change in real
   * time): the scheduler then looks at the task on every tick.
   */
  nextChangeAt?(taskArn: string, now: number): number | undefined;
}
