/**
 * What the awslogs driver does for a task: create each container's stream `{prefix}/{container}/{taskId}`
 * when the task starts (failing the task when the group does not exist, like AWS), then ship the lines
 * the runtime reports.
 */
import { AwsError } from "../../errors.ts";
import { appendLogEvents } from "../logs/operations.ts";
import type { EcsContext } from "./context.ts";
import type { ContainerOutput } from "./runtime/task-runtime.ts";
import type { LogSettings, Task } from "./state.ts";

const streamName = (logs: LogSettings, container: string, task: Task) =>
  logs.streamPrefix === "" ? task.id : `${logs.streamPrefix}/${container}/${task.id}`;

/** Creates the task's log streams; returns the task's stop reason when a log group is missing. */
export function openLogStreams(context: EcsContext, task: Task): string | undefined {
  for (const container of task.containers) {
    if (!container.logs) continue;
    try {
      appendLogEvents(
        context.world.region(container.logs.region).logs,
        container.logs.group,
        streamName(container.logs, container.name, task),
        [],
        context.now,
      );
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      return `ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ${error.code}: ${error.message} : exit status 1`;
    }
  }
  return undefined;
}

/** Appends the runtime's output lines to each container's stream; lines for a vanished group are lost. */
export function shipOutput(context: EcsContext, task: Task, output: readonly ContainerOutput[]): void {
  for (const line of output) {
    const container = task.containers.find((candidate) => candidate.name === line.container);
    if (!container?.logs) continue;
    try {
      appendLogEvents(
        context.world.region(container.logs.region).logs,
        container.logs.group,
        streamName(container.logs, container.name, task),
        [line.message],
        line.timestamp,
      );
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
    }
  }
}
