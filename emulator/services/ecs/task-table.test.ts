/** The task table's indexes follow its entries, whatever order tasks come and go in. */
import { describe, expect, it } from "vitest";
import type { Task } from "./state.ts";
import { TaskTable } from "./task-table.ts";

/** Only the fields the indexes read: id, service, incarnation and ENI IP. */
function task(id: string, ip: string, service?: { name: string; incarnation: string }): Task {
  return {
    id,
    serviceName: service?.name,
    serviceIncarnation: service?.incarnation,
    eni: { privateIp: ip },
  } as Task;
}

const ids = (tasks: Iterable<Task>) => [...tasks].map((entry) => entry.id);

describe("TaskTable", () => {
  const web = { name: "web", incarnation: "1" };

  it("finds a service's tasks in the order they were added, and no other service's", () => {
    const table = new TaskTable();
    table.set("a", task("a", "10.0.0.1", web));
    table.set("b", task("b", "10.0.0.2", { name: "api", incarnation: "1" }));
    table.set("c", task("c", "10.0.0.3", web));
    table.set("d", task("d", "10.0.0.4"));
    expect(ids(table.ofService("web", "1"))).toEqual(["a", "c"]);
    expect(ids(table.ofService("api", "1"))).toEqual(["b"]);
  });

  it("tells apart services that reuse a name by incarnation", () => {
    const table = new TaskTable();
    table.set("a", task("a", "10.0.0.1", web));
    table.set("b", task("b", "10.0.0.2", { name: "web", incarnation: "2" }));
    expect(ids(table.ofService("web", "2"))).toEqual(["b"]);
  });

  it("forgets deleted tasks and a replaced entry's previous task", () => {
    const table = new TaskTable();
    table.set("a", task("a", "10.0.0.1", web));
    table.set("b", task("b", "10.0.0.2", web));
    table.delete("a");
    table.set("b", task("b", "10.0.0.9", web));
    expect(ids(table.ofService("web", "1"))).toEqual(["b"]);
    expect(ids(table.withIp("10.0.0.1"))).toEqual([]);
    expect(ids(table.withIp("10.0.0.2"))).toEqual([]);
    expect(ids(table.withIp("10.0.0.9"))).toEqual(["b"]);
    table.clear();
    expect(ids(table.ofService("web", "1"))).toEqual([]);
    expect(table.size).toBe(0);
  });

  it("holds every task that had an IP once the address is reused", () => {
    const table = new TaskTable();
    table.set("old", task("old", "10.0.0.1", web));
    table.set("new", task("new", "10.0.0.1", web));
    expect(ids(table.withIp("10.0.0.1"))).toEqual(["old", "new"]);
  });
});

describe("TaskTable positions", () => {
  it("orders tasks as iteration does, a replaced entry keeping its place", () => {
    const table = new TaskTable();
    for (const id of ["a", "b", "c"]) table.set(id, task(id, `10.0.0.${id.charCodeAt(0)}`));
    table.set("a", task("a", "10.0.1.1"));
    table.delete("b");
    table.set("d", task("d", "10.0.0.4"));
    const byPosition = [...table.values()].sort(
      (x, y) => (table.positionOf(x) ?? 0) - (table.positionOf(y) ?? 0),
    );
    expect(ids(byPosition)).toEqual(ids(table.values()));
    expect(table.positionOf(task("b", "10.0.0.98"))).toBeUndefined();
  });
});
