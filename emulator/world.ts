/**
 * Everything the emulator holds: per-region state of every service, simulated time, and the
 * lifecycles that move resources along as time passes (an ALB becoming active, tasks booting,
 * targets turning healthy). Lifecycles are stepped in fixed ticks, so a manual clock advanced by ten
 * minutes plays out the same sequence as ten real minutes would.
 */
import type { Clock } from "./clock.ts";
import { Random } from "./random.ts";
import { type AutoscalingState, createAutoscalingState } from "./services/autoscaling/state.ts";
import { createDynamodbState, type DynamodbState } from "./services/dynamodb/state.ts";
import { createEc2State, type Ec2State, type NetworkMode } from "./services/ec2/state.ts";
import type { TaskRuntime } from "./services/ecs/runtime/task-runtime.ts";
import { createEcsState, type EcsState } from "./services/ecs/state.ts";
import { createElbv2State, type Elbv2State } from "./services/elbv2/state.ts";
import { createLogsState, type LogsState } from "./services/logs/state.ts";
import { DEFAULT_TIMINGS, type Timings } from "./timings.ts";

export interface RegionState {
  name: string;
  ec2: Ec2State;
  elbv2: Elbv2State;
  ecs: EcsState;
  autoscaling: AutoscalingState;
  logs: LogsState;
  dynamodb: DynamodbState;
}

/** Advances one region's resources to `now`. Each service that has a lifecycle contributes one. */
export type Lifecycle = (region: RegionState, now: number, world: World) => void;

/** Simulated milliseconds per lifecycle step. */
export const TICK_MS = 1000;

/**
 * Real milliseconds one catch-up may spend when time moves by itself: a large lag (the event loop was
 * busy, the machine slow) is then played out over several turns of the event loop, between which
 * requests are answered, instead of in one block that holds every request back. Simulated time lags a
 * little longer; a manual clock always catches up in full.
 */
export const CATCH_UP_BUDGET_MS = 20;

export interface WorldOptions {
  clock: Clock;
  seed?: number;
  timings?: Partial<Timings>;
  /** Where a failing lifecycle is reported (default: stderr). The emulator keeps running either way. */
  onLifecycleError?: (error: unknown) => void;
  /** The default VPC's addresses: AWS's (default) or loopback ones that local processes can listen on. */
  network?: NetworkMode;
  /** The default VPC's second octet (127.N.0.0/16 in loopback mode); default 31, as AWS's 172.31. */
  vpcSecondOctet?: number;
  /** The task runtime of each new region (default: the simulated one, created on first use). */
  taskRuntimeFor?: (region: string, timings: Timings) => TaskRuntime;
}

export class World {
  readonly clock: Clock;
  readonly timings: Timings;
  readonly seed: number;
  random: Random;
  regions = new Map<string, RegionState>();
  /** The simulated time up to which lifecycles have run. */
  time: number;
  readonly #lifecycles: Lifecycle[] = [];
  readonly #onLifecycleError: (error: unknown) => void;
  readonly #network: NetworkMode;
  readonly #vpcSecondOctet: number;
  readonly #taskRuntimeFor: WorldOptions["taskRuntimeFor"];

  constructor(options: WorldOptions) {
    this.#network = options.network ?? "aws";
    this.#vpcSecondOctet = options.vpcSecondOctet ?? 31;
    this.#taskRuntimeFor = options.taskRuntimeFor;
    this.clock = options.clock;
    this.seed = options.seed ?? 1;
    this.random = new Random(this.seed);
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.time = options.clock.now();
    const reported = new Set<string>();
    // A lifecycle that fails fails on every tick: say so once per distinct error, not once per simulated second.
    this.#onLifecycleError =
      options.onLifecycleError ??
      ((error) => {
        const message = error instanceof Error ? error.message : String(error);
        if (reported.has(message)) return;
        reported.add(message);
        console.error("emulator lifecycle failed:", error);
      });
  }

  /** Registers a lifecycle; they run in registration order on every tick. */
  addLifecycle(lifecycle: Lifecycle): void {
    this.#lifecycles.push(lifecycle);
  }

  /** The state of a region, created on first use with its default VPC. */
  region(name: string): RegionState {
    let region = this.regions.get(name);
    if (!region) {
      // Its own seeded stream: a region's default VPC and subnets get the same ids for the same seed,
      // whatever requests (concurrent ones in any order) came before.
      const random = new Random(this.seed ^ stringHash(name));
      region = {
        name,
        ec2: createEc2State(name, random, this.#network, this.#vpcSecondOctet),
        elbv2: createElbv2State(name, random),
        ecs: createEcsState(name, random),
        autoscaling: createAutoscalingState(name, random),
        logs: createLogsState(),
        dynamodb: createDynamodbState(),
      };
      region.ecs.runtime = this.#taskRuntimeFor?.(name, this.timings);
      this.regions.set(name, region);
    }
    return region;
  }

  /**
   * Runs every lifecycle, tick by tick, up to the clock's current time, spending at most `budgetMs`
   * of real time (by default CATCH_UP_BUDGET_MS with a clock that moves by itself, else no limit).
   * Returns whether it caught up.
   */
  catchUp(budgetMs = this.clock.automatic ? CATCH_UP_BUDGET_MS : Number.POSITIVE_INFINITY): boolean {
    const target = this.clock.now();
    const deadline = performance.now() + budgetMs;
    while (this.time < target) {
      if (performance.now() > deadline) return false;
      this.time = Math.min(this.time + TICK_MS, target);
      for (const region of this.regions.values()) {
        for (const lifecycle of this.#lifecycles) {
          // One broken lifecycle must not stop time for the others, nor take the emulator down.
          try {
            lifecycle(region, this.time, this);
          } catch (error) {
            this.#onLifecycleError(error);
          }
        }
      }
    }
    return true;
  }

  /** Forgets every resource: the state of a fresh start (regions are recreated on use). */
  reset(): void {
    this.regions = new Map();
    this.random = new Random(this.seed);
    this.time = this.clock.now();
  }
}

/** FNV-1a: a stable 32-bit number for a string. */
function stringHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
