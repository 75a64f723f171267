/**
 * How Application Auto Scaling reaches ECS: the contract in ecs/internal.ts. Replaceable so this
 * folder's tests can drive a stand-in service with a chosen CPU, independently of the ECS emulator.
 */

import type { RegionState } from "../../world.ts";
import {
  averageCpuUtilization,
  type EcsServiceFacts,
  findServiceByResourceId,
  setDesiredCount,
} from "../ecs/internal.ts";

export interface EcsBridge {
  findServiceByResourceId(region: RegionState, resourceId: string): EcsServiceFacts | undefined;
  setDesiredCount(region: RegionState, resourceId: string, desiredCount: number, now: number): void;
  averageCpuUtilization(region: RegionState, resourceId: string): number | undefined;
}

const ECS_EMULATOR: EcsBridge = { findServiceByResourceId, setDesiredCount, averageCpuUtilization };

let bridge: EcsBridge = ECS_EMULATOR;

/** The ECS this service scales (the ECS emulator unless a test replaced it). */
export function ecs(): EcsBridge {
  return bridge;
}

/** Replaces the ECS bridge (for tests); returns a function that restores the previous one. */
export function useEcsBridge(replacement: EcsBridge): () => void {
  const previous = bridge;
  bridge = replacement;
  return () => {
    bridge = previous;
  };
}
