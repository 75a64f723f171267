/**
 * A region's network interfaces by id, with the addresses each subnet holds kept as an index: every
 * task launch allocates an address and DescribeSubnets counts free ones, and scanning every interface
 * of the region for each made launching a fleet's tasks grow with the square of its size. The index is
 * maintained by `set` and `delete` themselves; an interface's subnet and address never change.
 */
import { parseIpv4 } from "./cidr.ts";
import type { NetworkInterface } from "./state.ts";

export class NetworkInterfaceTable extends Map<string, NetworkInterface> {
  /** Subnet → address → how many interfaces hold it. Initialised lazily: Map's constructor may call `set`. */
  #addresses: Map<string, Map<number, number>> | undefined;

  override set(id: string, networkInterface: NetworkInterface): this {
    const previous = super.get(id);
    if (previous === networkInterface) return this;
    if (previous) this.#unindex(previous);
    super.set(id, networkInterface);
    this.#index(networkInterface);
    return this;
  }

  override delete(id: string): boolean {
    const networkInterface = super.get(id);
    if (networkInterface) this.#unindex(networkInterface);
    return super.delete(id);
  }

  override clear(): void {
    this.#addresses = undefined;
    super.clear();
  }

  /** How many distinct addresses the subnet's interfaces hold. */
  addressCountIn(subnetId: string): number {
    return this.#addresses?.get(subnetId)?.size ?? 0;
  }

  /** Whether an interface of the subnet holds `address`. */
  holds(subnetId: string, address: number): boolean {
    return this.#addresses?.get(subnetId)?.has(address) ?? false;
  }

  #index(networkInterface: NetworkInterface): void {
    const address = parseIpv4(networkInterface.privateIpAddress);
    if (address === undefined) return;
    this.#addresses ??= new Map();
    const counts = this.#addresses.get(networkInterface.subnetId) ?? new Map<number, number>();
    this.#addresses.set(networkInterface.subnetId, counts.set(address, (counts.get(address) ?? 0) + 1));
  }

  #unindex(networkInterface: NetworkInterface): void {
    const address = parseIpv4(networkInterface.privateIpAddress);
    const counts = this.#addresses?.get(networkInterface.subnetId);
    if (address === undefined || !counts) return;
    const count = (counts.get(address) ?? 0) - 1;
    if (count > 0) counts.set(address, count);
    else counts.delete(address);
    if (counts.size === 0) this.#addresses?.delete(networkInterface.subnetId);
  }
}
