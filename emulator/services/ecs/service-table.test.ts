/** The service table orders services as iteration does, a replacing namesake taking the old one's place. */
import { describe, expect, it } from "vitest";
import { ServiceTable } from "./service-table.ts";
import type { Service } from "./state.ts";

const service = (name: string) => ({ name }) as Service;

describe("ServiceTable", () => {
  it("gives each service its place in iteration order, and none to one it does not hold", () => {
    const table = new ServiceTable();
    const [web, api, old] = [service("web"), service("api"), service("worker")];
    for (const entry of [web, api, old]) table.set(entry.name, entry);
    const replacement = service("worker");
    table.set("worker", replacement);
    const byPosition = [replacement, api, web].sort(
      (a, b) => (table.positionOf(a) ?? 0) - (table.positionOf(b) ?? 0),
    );
    expect(byPosition).toEqual([...table.values()]);
    expect(table.positionOf(old)).toBeUndefined();
  });
});
