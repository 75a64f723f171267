/** The built-in AWS emulator: what other folders (the CLI, tests, benchmarks) may import. */

export { CallLog, type CallRecord } from "./call-log.ts";
export { type Clock, DEFAULT_EPOCH_MS, ManualClock, ScaledClock } from "./clock.ts";
export {
  type Fault,
  type FaultConfig,
  type FaultPolicy,
  type FaultRule,
  InjectedFaults,
  NO_FAULTS,
  type RateLimit,
} from "./faults.ts";
export { ACCOUNT_ID, DEFAULT_REGION } from "./identity.ts";
export { Emulator, type EmulatorOptions, startEmulator } from "./server.ts";
export type { NetworkMode } from "./services/ec2/state.ts";
export type { EcsActivity } from "./services/ecs/activity-feed.ts";
export {
  type ImageCommand,
  parseImageFlag,
  parseImagesDocument,
} from "./services/ecs/runtime/image-commands.ts";
export type { ServedListener } from "./services/elbv2/data-plane/data-plane.ts";
export type { Timings } from "./timings.ts";
