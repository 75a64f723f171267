/**
 * A cluster's services by name, with each one's place in the table: a tick that schedules only the
 * services that need it schedules them in the order a pass over every service would, so the same
 * seed plays out the same way. A service that replaces an INACTIVE namesake takes its place, as a
 * Map's key keeps its position.
 */
import type { Service } from "./state.ts";

export class ServiceTable extends Map<string, Service> {
  // Initialised lazily: Map's constructor may call `set` before a subclass's fields exist.
  #positions: Map<string, number> | undefined;
  #added = 0;

  override set(name: string, service: Service): this {
    this.#positions ??= new Map();
    if (!this.#positions.has(name)) this.#positions.set(name, this.#added++);
    return super.set(name, service);
  }

  override delete(name: string): boolean {
    this.#positions?.delete(name);
    return super.delete(name);
  }

  override clear(): void {
    this.#positions = undefined;
    super.clear();
  }

  /** Where the service comes when the table is iterated (only an order); undefined unless the table holds it. */
  positionOf(service: Service): number | undefined {
    return super.get(service.name) === service ? this.#positions?.get(service.name) : undefined;
  }
}
