/**
 * A region's task runtime when some images run as local processes: a task whose every container image
 * has a local command runs on the process runtime, any other task on the simulated one, so exotic
 * images and every control of the simulated runtime keep working beside real processes.
 */
import type { ProcessRuntime } from "./process-runtime.ts";
import type { SimulatedRuntime } from "./simulated-runtime.ts";
import type {
  ContainerOutput,
  ContainerStatus,
  HealthCheckRequest,
  ProbeAnswer,
  RuntimeTask,
  TaskRuntime,
} from "./task-runtime.ts";

export class ImageRoutedRuntime implements TaskRuntime {
  readonly simulated: SimulatedRuntime;
  readonly processes: ProcessRuntime;

  constructor(simulated: SimulatedRuntime, processes: ProcessRuntime) {
    this.simulated = simulated;
    this.processes = processes;
  }

  #runtimeOf(taskArn: string): TaskRuntime {
    return this.processes.owns(taskArn) ? this.processes : this.simulated;
  }

  start(task: RuntimeTask, now: number): void {
    const local =
      task.containers.length > 0 &&
      task.containers.every((container) => this.processes.runs(container.image));
    (local ? this.processes : this.simulated).start(task, now);
  }

  stop(taskArn: string, now: number): void {
    this.#runtimeOf(taskArn).stop(taskArn, now);
  }

  status(taskArn: string, container: string, now: number): ContainerStatus {
    return this.#runtimeOf(taskArn).status(taskArn, container, now);
  }

  probe(taskArn: string, port: number, path: string, now: number, check: HealthCheckRequest): ProbeAnswer {
    return this.#runtimeOf(taskArn).probe(taskArn, port, path, now, check);
  }

  cpuPercent(taskArn: string, now: number): number | undefined {
    return this.#runtimeOf(taskArn).cpuPercent(taskArn, now);
  }

  takeOutput(taskArn: string, now: number): ContainerOutput[] {
    return this.#runtimeOf(taskArn).takeOutput(taskArn, now);
  }

  forget(taskArn: string): void {
    this.#runtimeOf(taskArn).forget(taskArn);
  }

  nextChangeAt(taskArn: string, now: number): number | undefined {
    return this.processes.owns(taskArn) ? undefined : this.simulated.nextChangeAt(taskArn, now);
  }
}
