/** What can go wrong with a call on purpose: decided before the operation runs, so a failed call changes nothing. */
import type { ServiceId } from "./services/service-definition.ts";

export type Fault =
  | { kind: "throttle" }
  | { kind: "server-error" }
  | { kind: "latency"; ms: number }
  | { kind: "drop" };

export interface FaultPolicy {
  /** The fault for this call, if any. Called once per call. */
  decide(service: ServiceId, operation: string): Fault | undefined;
}

/** No faults: the default. */
export const NO_FAULTS: FaultPolicy = { decide: () => undefined };
