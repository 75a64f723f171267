/** The services the emulator serves, their lifecycles and their control routes: the one list to extend. */
import type { ControlRoute } from "../control.ts";
import type { Lifecycle, World } from "../world.ts";
import { logsService } from "./logs/operations.ts";
import type { ServiceDefinition } from "./service-definition.ts";

export const ALL_SERVICES: readonly ServiceDefinition[] = [logsService];

/** Run in this order on every tick. */
export const LIFECYCLES: readonly Lifecycle[] = [];

export const SERVICE_CONTROL_ROUTES: ReadonlyArray<(world: World) => ControlRoute[]> = [];
