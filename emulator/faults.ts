/**
 * Faults on purpose, for tests and benchmarks: throttling (each service's own code), server errors,
 * added latency, dropped connections, and token-bucket rate limits per operation like AWS's.
 * Decided before an operation runs, so a failed call changes nothing. Deterministic under a seed.
 */
import { Random } from "./random.ts";
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

/** Which calls a rule or limit applies to; absent fields match everything. */
export interface CallMatcher {
  service?: ServiceId;
  operation?: string;
}

/** Probabilities (0–1) of each fault for matching calls. The first matching rule decides. */
export interface FaultRule extends CallMatcher {
  throttleRate?: number;
  errorRate?: number;
  dropRate?: number;
  latencyRate?: number;
  latencyMs?: number;
}

/** A token bucket per matching operation: `burst` calls at once, refilled at `perSecond` (real time). */
export interface RateLimit extends CallMatcher {
  perSecond: number;
  burst: number;
}

export interface FaultConfig {
  seed?: number;
  rules?: FaultRule[];
  rateLimits?: RateLimit[];
}

const matches = (matcher: CallMatcher, service: ServiceId, operation: string) =>
  (matcher.service === undefined || matcher.service === service) &&
  (matcher.operation === undefined || matcher.operation === operation);

function checkRate(name: string, value: number | undefined): void {
  if (value !== undefined && !(value >= 0 && value <= 1))
    throw new RangeError(`${name} must be between 0 and 1, got ${value}`);
}

/** Faults drawn from a seeded random source, plus rate limits. */
export class InjectedFaults implements FaultPolicy {
  readonly config: Required<FaultConfig>;
  readonly #random: Random;
  readonly #buckets = new Map<string, { tokens: number; updatedAt: number }>();
  readonly #realNow: () => number;

  constructor(config: FaultConfig, realNow: () => number = () => performance.now()) {
    for (const rule of config.rules ?? []) {
      for (const key of ["throttleRate", "errorRate", "dropRate", "latencyRate"] as const)
        checkRate(key, rule[key]);
      if (rule.latencyMs !== undefined && !(rule.latencyMs >= 0))
        throw new RangeError("latencyMs must be >= 0");
    }
    for (const limit of config.rateLimits ?? []) {
      if (!(limit.perSecond >= 0) || !(limit.burst >= 1))
        throw new RangeError("rate limits need perSecond >= 0 and burst >= 1");
    }
    this.config = { seed: config.seed ?? 1, rules: config.rules ?? [], rateLimits: config.rateLimits ?? [] };
    this.#random = new Random(this.config.seed);
    this.#realNow = realNow;
  }

  decide(service: ServiceId, operation: string): Fault | undefined {
    const limit = this.config.rateLimits.find((candidate) => matches(candidate, service, operation));
    if (limit && !this.#takeToken(limit, `${service}:${operation}`)) return { kind: "throttle" };
    const rule = this.config.rules.find((candidate) => matches(candidate, service, operation));
    if (!rule) return undefined;
    // One draw per kind, always in the same order, so a seed replays the same faults whatever the rates.
    const [throttle, error, drop, latency] = [
      this.#random.next(),
      this.#random.next(),
      this.#random.next(),
      this.#random.next(),
    ];
    if (throttle < (rule.throttleRate ?? 0)) return { kind: "throttle" };
    if (error < (rule.errorRate ?? 0)) return { kind: "server-error" };
    if (drop < (rule.dropRate ?? 0)) return { kind: "drop" };
    if (rule.latencyMs !== undefined && latency < (rule.latencyRate ?? 1))
      return { kind: "latency", ms: rule.latencyMs };
    return undefined;
  }

  #takeToken(limit: RateLimit, key: string): boolean {
    const now = this.#realNow();
    const bucket = this.#buckets.get(key) ?? { tokens: limit.burst, updatedAt: now };
    bucket.tokens = Math.min(
      limit.burst,
      bucket.tokens + ((now - bucket.updatedAt) / 1000) * limit.perSecond,
    );
    bucket.updatedAt = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
