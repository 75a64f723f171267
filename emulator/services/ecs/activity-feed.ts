/**
 * What ECS is doing, as a stream for whoever runs the emulator: each new service event (the lines
 * DescribeServices lists: tasks started and stopped, targets registered, steady state) and each task
 * ECS decides to stop, with why and its containers' exit codes (told when decided, before it drains:
 * a crashed task is told before its replacement starts). The CLI logs them, so a killed task process
 * shows ECS healing the service. Read from the state after each step; nothing in the state changes.
 */
import type { World } from "../../world.ts";
import type { Task } from "./state.ts";

export type EcsActivity =
  | { kind: "service event"; at: number; region: string; cluster: string; service: string; message: string }
  | {
      kind: "task stopping";
      /** Simulated time of the decision. */
      at: number;
      region: string;
      cluster: string;
      /** The service that ran it, if any. */
      service: string | undefined;
      task: string;
      stopCode: string | undefined;
      reason: string | undefined;
      /** The essential containers' exit codes, by container name, where known. */
      exitCodes: Record<string, number>;
    };

export class EcsActivityFeed {
  readonly #world: World;
  /** Event ids already told, per service (bounded: a service keeps its last 100 events). */
  readonly #toldEvents = new Map<string, Set<string>>();
  /** Tasks told as stopping, by ARN; forgotten with the task. */
  #toldStops = new Set<string>();
  #primed = false;

  constructor(world: World) {
    this.#world = world;
  }

  /** The activity since the last call; the first call only notes what exists (nothing is told twice). */
  take(): EcsActivity[] {
    const found: EcsActivity[] = [];
    const liveStops = new Set<string>();
    const liveServices = new Set<string>();
    for (const region of this.#world.regions.values()) {
      for (const cluster of region.ecs.clusters.values()) {
        for (const service of cluster.services.values()) {
          const key = `${service.arn}|${service.incarnation}`;
          liveServices.add(key);
          const told = this.#toldEvents.get(key) ?? new Set<string>();
          const current = new Set<string>();
          // Newest first in the state: told oldest first.
          for (const event of [...service.events].reverse()) {
            current.add(event.id);
            if (!told.has(event.id) && this.#primed)
              found.push({
                kind: "service event",
                at: event.createdAt,
                region: region.name,
                cluster: cluster.name,
                service: service.name,
                message: event.message,
              });
          }
          this.#toldEvents.set(key, current);
        }
        for (const task of cluster.tasks.values()) {
          if (task.desiredStatus !== "STOPPED") continue;
          liveStops.add(task.arn);
          if (!this.#toldStops.has(task.arn) && this.#primed)
            found.push(taskStopped(region.name, cluster.name, task));
        }
      }
    }
    for (const key of this.#toldEvents.keys()) if (!liveServices.has(key)) this.#toldEvents.delete(key);
    this.#toldStops = liveStops;
    this.#primed = true;
    // In the order it happened; at one instant a stop comes first (ECS replaces what it stopped).
    return found.sort((a, b) => a.at - b.at || rank(a) - rank(b));
  }
}

const rank = (activity: EcsActivity) => (activity.kind === "task stopping" ? 0 : 1);

function taskStopped(region: string, cluster: string, task: Task): EcsActivity {
  const exitCodes: Record<string, number> = {};
  for (const container of task.containers)
    if (container.exitCode !== undefined) exitCodes[container.name] = container.exitCode;
  return {
    kind: "task stopping",
    at: task.stoppingAt ?? 0,
    region,
    cluster,
    service: task.serviceName,
    task: task.id,
    stopCode: task.stopCode,
    reason: task.stoppedReason,
    exitCodes,
  };
}
