/**
 * Where the data plane connects to reach a registered target. An ip target is reached at its own IP
 * and port, as in a VPC; ECS's `addressOf` says where a task's IP and port are really served (its own
 * loopback address, or a remapped port where that address cannot be bound) and is the identity for
 * any other address.
 */
import type { RegionState } from "../../../world.ts";
import { addressOf } from "../../ecs/internal.ts";

export interface TargetAddress {
  host: string;
  port: number;
}

/** Maps a target's registered IP and port to the socket address to connect to. */
export type TargetAddressResolver = (region: RegionState, ip: string, port: number) => TargetAddress;

let resolver: TargetAddressResolver = addressOf;

/** Installs how targets are reached (tests); `undefined` restores ECS's `addressOf`. */
export function useTargetAddress(replacement: TargetAddressResolver | undefined): void {
  resolver = replacement ?? addressOf;
}

/** The address to connect to for a target, through the installed resolver. */
export function targetAddressOf(region: RegionState, ip: string, port: number): TargetAddress {
  return resolver(region, ip, port);
}
