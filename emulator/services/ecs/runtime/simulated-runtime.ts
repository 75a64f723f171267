/**
 * The default task runtime: containers that exist only as timestamps. A container pulls for
 * `ecsImagePullMs`, runs, and answers health checks `ecsContainerBootMs` later; SIGTERM makes it exit
 * `ecsContainerStopMs` later. Everything is computed from simulated time, so a manual clock replays it
 * exactly. Controls let tests break things the way real apps break: a bad image, a crash, a failing
 * health check, a busy CPU.
 */
import type { EcsTimings } from "../timings.ts";
import type {
  ContainerOutput,
  ContainerStatus,
  HealthCheckRequest,
  RuntimeContainer,
  RuntimeTask,
  TaskRuntime,
} from "./task-runtime.ts";

/** How every task of an image behaves (set through the control API). */
export interface ImageBehaviour {
  /** `pull`: CannotPullContainerError; `crash`: exits soon after starting; `unhealthy`: runs but fails health checks. */
  failure?: "pull" | "crash" | "unhealthy";
  /** From the container starting to its app answering health checks; default `ecsContainerBootMs`. */
  bootMs?: number;
  /** A crashing container's exit code; default 1. */
  exitCode?: number;
}

/** A service's CPU load: `percent` on average when spread over `tasks` tasks (constant when `tasks` is unset). */
export interface Workload {
  percent: number;
  tasks?: number;
}

interface SimulatedContainer {
  spec: RuntimeContainer;
  image: string;
  /** When the image is pulled and the process starts. */
  runningAt: number;
  /** When the app starts answering health checks. */
  healthyAt: number;
  /** Set when the container cannot start; it shows once the pull would have finished. */
  failure?: string;
  exit?: { at: number; exitCode?: number; reason?: string };
  unhealthy: boolean;
}

interface SimulatedTask {
  task: RuntimeTask;
  containers: Map<string, SimulatedContainer>;
  /** Lines scheduled to appear at their timestamp. */
  output: ContainerOutput[];
}

export class SimulatedRuntime implements TaskRuntime {
  readonly #timings: EcsTimings;
  readonly #tasks = new Map<string, SimulatedTask>();
  /** The tasks of each workload: a task's CPU depends on how many share its load. */
  readonly #byWorkload = new Map<string, Set<SimulatedTask>>();
  readonly #images = new Map<string, ImageBehaviour>();
  readonly #workloads = new Map<string, Workload>();

  constructor(timings: EcsTimings) {
    this.#timings = timings;
  }

  start(task: RuntimeTask, now: number): void {
    if (this.#tasks.has(task.taskArn)) return;
    const simulated: SimulatedTask = { task, containers: new Map(), output: [] };
    for (const spec of task.containers) {
      const behaviour = this.#images.get(spec.image) ?? {};
      const runningAt = now + this.#timings.ecsImagePullMs;
      const container: SimulatedContainer = {
        spec,
        image: spec.image,
        runningAt,
        healthyAt: runningAt + (behaviour.bootMs ?? this.#timings.ecsContainerBootMs),
        unhealthy: false,
      };
      if (behaviour.failure === "pull") {
        container.failure = `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ${spec.image}: not found`;
      } else {
        const ports = spec.ports.length > 0 ? ` on port ${spec.ports.join(", ")}` : "";
        simulated.output.push({ container: spec.name, timestamp: runningAt, message: `listening${ports}` });
      }
      if (behaviour.failure === "crash") {
        const exitCode = behaviour.exitCode ?? 1;
        this.#exit(simulated, container, runningAt + this.#timings.ecsCrashAfterMs, exitCode, "fatal error");
      }
      simulated.containers.set(spec.name, container);
    }
    this.#tasks.set(task.taskArn, simulated);
    const sharing = this.#byWorkload.get(task.workload) ?? new Set<SimulatedTask>();
    this.#byWorkload.set(task.workload, sharing.add(simulated));
  }

  stop(taskArn: string, now: number): void {
    const simulated = this.#tasks.get(taskArn);
    if (!simulated) return;
    for (const container of simulated.containers.values()) {
      if (container.failure !== undefined) continue;
      if (container.exit && container.exit.at <= now) continue;
      if (now < container.runningAt) {
        // Stopped while pulling: the process never ran, so there is no exit code.
        container.exit = { at: now };
        continue;
      }
      simulated.output.push({
        container: container.spec.name,
        timestamp: now,
        message: "received SIGTERM, shutting down",
      });
      this.#exit(simulated, container, now + this.#timings.ecsContainerStopMs, 0);
    }
  }

  status(taskArn: string, container: string, now: number): ContainerStatus {
    const found = this.#tasks.get(taskArn)?.containers.get(container);
    if (!found) return { phase: "starting" };
    if (found.exit && now >= found.exit.at) {
      const { exitCode, reason } = found.exit;
      return {
        phase: "exited",
        ...(exitCode === undefined ? {} : { exitCode }),
        ...(reason === undefined ? {} : { reason }),
      };
    }
    if (now < found.runningAt) return { phase: "starting" };
    if (found.failure !== undefined) return { phase: "failed", reason: found.failure };
    return { phase: "running" };
  }

  probe(taskArn: string, port: number, _path: string, now: number, _check?: HealthCheckRequest): boolean {
    const simulated = this.#tasks.get(taskArn);
    if (!simulated) return false;
    for (const container of simulated.containers.values()) {
      if (!container.spec.ports.includes(port)) continue;
      const healthy =
        this.status(taskArn, container.spec.name, now).phase === "running" &&
        now >= container.healthyAt &&
        !container.unhealthy &&
        this.#images.get(container.image)?.failure !== "unhealthy";
      if (healthy) return true;
    }
    return false;
  }

  cpuPercent(taskArn: string, now: number): number | undefined {
    const simulated = this.#tasks.get(taskArn);
    if (!simulated || !this.#isRunning(simulated, now)) return undefined;
    const workload = this.#workloads.get(simulated.task.workload) ?? {
      percent: this.#timings.ecsDefaultCpuPercent,
    };
    if (workload.tasks === undefined) return Math.min(100, workload.percent);
    const sharing = [...(this.#byWorkload.get(simulated.task.workload) ?? [])].filter((other) =>
      this.#isRunning(other, now),
    ).length;
    return Math.min(100, (workload.percent * workload.tasks) / sharing);
  }

  takeOutput(taskArn: string, now: number): ContainerOutput[] {
    const simulated = this.#tasks.get(taskArn);
    if (!simulated) return [];
    const due = simulated.output.filter((line) => line.timestamp <= now);
    simulated.output = simulated.output.filter((line) => line.timestamp > now);
    return due.sort((a, b) => a.timestamp - b.timestamp);
  }

  forget(taskArn: string): void {
    const simulated = this.#tasks.get(taskArn);
    if (!simulated) return;
    this.#tasks.delete(taskArn);
    const sharing = this.#byWorkload.get(simulated.task.workload);
    sharing?.delete(simulated);
    if (sharing?.size === 0) this.#byWorkload.delete(simulated.task.workload);
  }

  nextChangeAt(taskArn: string, now: number): number {
    const simulated = this.#tasks.get(taskArn);
    let next = Number.POSITIVE_INFINITY;
    if (!simulated) return next;
    const consider = (at: number | undefined) => {
      if (at !== undefined && at > now && at < next) next = at;
    };
    for (const container of simulated.containers.values()) {
      consider(container.runningAt);
      consider(container.exit?.at);
    }
    for (const line of simulated.output) consider(line.timestamp);
    return next;
  }

  /** Makes every task of `image` started from now on behave so (undefined: back to normal). */
  setImageBehaviour(image: string, behaviour: ImageBehaviour | undefined): void {
    if (behaviour === undefined) this.#images.delete(image);
    else this.#images.set(image, behaviour);
  }

  /** Makes a task's containers fail (or pass again) the load balancer's health checks. */
  setUnhealthy(taskArn: string, unhealthy: boolean): boolean {
    const simulated = this.#tasks.get(taskArn);
    if (!simulated) return false;
    for (const container of simulated.containers.values()) container.unhealthy = unhealthy;
    return true;
  }

  /** Makes the task's essential containers exit now with `exitCode`, as a crash or an OOM kill would. */
  crash(taskArn: string, now: number, exitCode: number): boolean {
    const simulated = this.#tasks.get(taskArn);
    if (!simulated) return false;
    const reason = exitCode === 137 ? "OutOfMemoryError: Container killed due to memory usage" : undefined;
    for (const container of simulated.containers.values()) {
      if (!container.spec.essential || container.failure !== undefined) continue;
      if (container.exit && container.exit.at <= now) continue;
      simulated.output.push({
        container: container.spec.name,
        timestamp: now,
        message: `exited with code ${exitCode}`,
      });
      container.exit = { at: now, exitCode, ...(reason === undefined ? {} : { reason }) };
    }
    return true;
  }

  /** Sets the CPU load of a workload (a service's tasks). */
  setWorkload(workload: string, load: Workload): void {
    this.#workloads.set(workload, load);
  }

  #exit(
    simulated: SimulatedTask,
    container: SimulatedContainer,
    at: number,
    exitCode: number,
    message?: string,
  ) {
    if (container.exit && container.exit.at <= at) return;
    container.exit = { at, exitCode };
    if (message !== undefined) {
      simulated.output.push({
        container: container.spec.name,
        timestamp: at,
        message: `${message}, exiting with code ${exitCode}`,
      });
    }
  }

  #isRunning(simulated: SimulatedTask, now: number): boolean {
    return [...simulated.containers.values()].some(
      (container) =>
        container.spec.essential &&
        this.status(simulated.task.taskArn, container.spec.name, now).phase === "running",
    );
  }
}
