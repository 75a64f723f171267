/** A service's event log, as DescribeServices shows it: newest first, the last 100. */
import type { Random } from "../../random.ts";
import { uuid } from "./arns.ts";
import type { Service, Task } from "./state.ts";

const MAX_EVENTS = 100;

/** Adds `(service {name}) {message}`. */
export function addEvent(service: Service, message: string, now: number, random: Random): void {
  service.events.unshift({
    id: uuid(random),
    createdAt: now,
    message: `(service ${service.name}) ${message}`,
  });
  service.events.length = Math.min(service.events.length, MAX_EVENTS);
}

/** `(task a) (task b)`, as AWS lists tasks in events. */
export const taskList = (tasks: readonly Task[]) => tasks.map((task) => `(task ${task.id})`).join(" ");
