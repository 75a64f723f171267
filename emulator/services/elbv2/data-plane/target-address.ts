/**
 * Where the data plane connects to reach a registered target. An ip target is reached at its own IP
 * and port, as in a VPC; a task runtime that cannot give a task its own address (a port remapped on
 * a shared IP) installs a resolver that says where the task really listens.
 */
import type { RegionState } from "../../../world.ts";

export interface TargetAddress {
  host: string;
  port: number;
}

/** Maps a target's registered IP and port to the socket address to connect to. */
export type TargetAddressResolver = (region: RegionState, ip: string, port: number) => TargetAddress;

const registeredAddress: TargetAddressResolver = (_region, ip, port) => ({ host: ip, port });

let resolver: TargetAddressResolver = registeredAddress;

/**
 * Installs how targets are reached (the ECS runtime's remapping, or a test's); `undefined` restores
 * the default, the registered IP and port.
 */
export function useTargetAddress(replacement: TargetAddressResolver | undefined): void {
  resolver = replacement ?? registeredAddress;
}

/** The address to connect to for a target, through the installed resolver. */
export function targetAddressOf(region: RegionState, ip: string, port: number): TargetAddress {
  return resolver(region, ip, port);
}
