/** The table's per-subnet addresses follow its interfaces as they come and go. */
import { describe, expect, it } from "vitest";
import { parseIpv4 } from "./cidr.ts";
import { NetworkInterfaceTable } from "./network-interface-table.ts";
import type { NetworkInterface } from "./state.ts";

/** Only the fields the index reads. */
const eni = (id: string, subnetId: string, ip: string) =>
  ({ networkInterfaceId: id, subnetId, privateIpAddress: ip }) as NetworkInterface;

const address = (ip: string) => parseIpv4(ip) ?? -1;

describe("NetworkInterfaceTable", () => {
  it("knows which addresses each subnet holds, and forgets deleted interfaces", () => {
    const table = new NetworkInterfaceTable();
    table.set("eni-1", eni("eni-1", "subnet-a", "10.0.0.5"));
    table.set("eni-2", eni("eni-2", "subnet-a", "10.0.0.6"));
    table.set("eni-3", eni("eni-3", "subnet-b", "10.0.1.5"));
    expect(table.addressCountIn("subnet-a")).toBe(2);
    expect(table.holds("subnet-a", address("10.0.0.5"))).toBe(true);
    expect(table.holds("subnet-b", address("10.0.0.5"))).toBe(false);
    table.delete("eni-1");
    expect(table.holds("subnet-a", address("10.0.0.5"))).toBe(false);
    expect(table.addressCountIn("subnet-a")).toBe(1);
    table.clear();
    expect(table.addressCountIn("subnet-b")).toBe(0);
  });

  it("counts an address held twice once, and keeps it until both are gone", () => {
    const table = new NetworkInterfaceTable();
    table.set("eni-1", eni("eni-1", "subnet-a", "10.0.0.5"));
    table.set("eni-2", eni("eni-2", "subnet-a", "10.0.0.5"));
    expect(table.addressCountIn("subnet-a")).toBe(1);
    table.delete("eni-1");
    expect(table.holds("subnet-a", address("10.0.0.5"))).toBe(true);
    table.set("eni-2", eni("eni-2", "subnet-a", "10.0.0.7"));
    expect(table.holds("subnet-a", address("10.0.0.5"))).toBe(false);
    expect(table.holds("subnet-a", address("10.0.0.7"))).toBe(true);
  });
});
