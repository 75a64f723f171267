/**
 * A cluster's tasks by id, with the two lookups the lifecycles make for every task on every simulated
 * second kept as indexes: the tasks of a service (the scheduler, DescribeServices, autoscaling) and
 * the tasks holding an IP (the load balancer's health checks). Scanning every task of the cluster for
 * each made a fleet's cost grow with the square of its size. The indexes are maintained by `set` and
 * `delete` themselves, so no caller can forget them; a task's service and ENI never change after launch.
 * Each task's place in the table is kept too: a tick that advances only some tasks advances them in
 * the order a tick over every task would, so the same seed plays out the same way.
 */
import type { Task } from "./state.ts";

const serviceKey = (name: string, incarnation: string | undefined) => `${name}\u0000${incarnation ?? ""}`;

function addTo<K>(index: Map<K, Set<Task>>, key: K, task: Task): void {
  const tasks = index.get(key) ?? new Set<Task>();
  index.set(key, tasks.add(task));
}

function removeFrom<K>(index: Map<K, Set<Task>>, key: K, task: Task): void {
  const tasks = index.get(key);
  if (!tasks) return;
  tasks.delete(task);
  if (tasks.size === 0) index.delete(key);
}

const NONE: ReadonlySet<Task> = new Set();

export class TaskTable extends Map<string, Task> {
  // Initialised lazily: Map's constructor may call `set` before a subclass's fields exist.
  #byService: Map<string, Set<Task>> | undefined;
  #byIp: Map<string, Set<Task>> | undefined;
  #positions: Map<Task, number> | undefined;
  #added = 0;

  override set(id: string, task: Task): this {
    const previous = super.get(id);
    if (previous === task) return this;
    const position = previous ? this.#positions?.get(previous) : undefined;
    if (previous) this.#unindex(previous);
    super.set(id, task);
    this.#index(task);
    // A replaced entry keeps its place, as a Map's key does.
    this.#positions?.set(task, position ?? this.#added++);
    return this;
  }

  override delete(id: string): boolean {
    const task = super.get(id);
    if (task) this.#unindex(task);
    return super.delete(id);
  }

  override clear(): void {
    this.#byService = undefined;
    this.#byIp = undefined;
    this.#positions = undefined;
    super.clear();
  }

  /** Where the task comes when the table is iterated (only an order: not an index into it); undefined when absent. */
  positionOf(task: Task): number | undefined {
    return this.#positions?.get(task);
  }

  /** The tasks launched by the service of that name and incarnation, in launch order. */
  ofService(name: string, incarnation: string): ReadonlySet<Task> {
    return this.#byService?.get(serviceKey(name, incarnation)) ?? NONE;
  }

  /** The tasks whose ENI has that private IP (several only once an address was released and reused). */
  withIp(ip: string): ReadonlySet<Task> {
    return this.#byIp?.get(ip) ?? NONE;
  }

  #index(task: Task): void {
    this.#byService ??= new Map();
    this.#byIp ??= new Map();
    this.#positions ??= new Map();
    if (task.serviceName !== undefined)
      addTo(this.#byService, serviceKey(task.serviceName, task.serviceIncarnation), task);
    addTo(this.#byIp, task.eni.privateIp, task);
  }

  #unindex(task: Task): void {
    if (task.serviceName !== undefined && this.#byService)
      removeFrom(this.#byService, serviceKey(task.serviceName, task.serviceIncarnation), task);
    if (this.#byIp) removeFrom(this.#byIp, task.eni.privateIp, task);
    this.#positions?.delete(task);
  }
}
