/**
 * Faults on purpose, for tests and benchmarks: throttling (each service's own code), server errors,
 * added latency, dropped connections, and token-bucket rate limits like AWS's: per account and region
 * (the emulator has one account, so per region: every caller's access key shares them, as every IAM
 * principal of an account does), per operation or per group of operations sharing one bucket, with
 * AWS's documented figures as a preset. Decided before an operation runs, so a failed call changes
 * nothing. Deterministic under a seed.
 */
import { DEFAULT_REGION } from "./identity.ts";
import { Random } from "./random.ts";
import { AWS_RATE_LIMITS } from "./rate-limit-presets.ts";
import type { ServiceId } from "./services/service-definition.ts";

export type Fault =
  | { kind: "throttle" }
  | { kind: "server-error" }
  | { kind: "latency"; ms: number }
  | { kind: "drop" };

export interface FaultPolicy {
  /** The fault for this call, if any. Called once per call. */
  decide(service: ServiceId, operation: string, region?: string): Fault | undefined;
}

/** No faults: the default. */
export const NO_FAULTS: FaultPolicy = { decide: () => undefined };

/** Which calls a rule or limit applies to; absent fields match everything. */
export interface CallMatcher {
  service?: ServiceId;
  operation?: string;
  /** Any of these operations. */
  operations?: string[];
  /** Operations matching this regular expression (`^Describe`). */
  operationPattern?: string;
}

/** Probabilities (0–1) of each fault for matching calls. The first matching rule decides. */
export interface FaultRule extends CallMatcher {
  throttleRate?: number;
  errorRate?: number;
  dropRate?: number;
  latencyRate?: number;
  latencyMs?: number;
}

/**
 * A token bucket per region: `burst` calls at once, refilled at `perSecond` (real time). A call draws
 * from the first matching limit without `alsoApplies`, and from every matching one with it.
 */
export interface RateLimit extends CallMatcher {
  perSecond: number;
  burst: number;
  /**
   * Names one bucket that every operation the limit matches shares (ECS's "cluster read actions":
   * DescribeClusters and ListClusters). Absent: each operation has its own bucket of this size.
   */
  bucket?: string;
  /** Drawn from besides the call's own bucket (ELB's account-wide bucket), not instead of it. */
  alsoApplies?: boolean;
}

/** `aws`: AWS's documented API throttling (rate-limit-presets.ts), after any `rateLimits` given. */
export type RateLimitPreset = "aws";

export interface FaultConfig {
  seed?: number;
  rules?: FaultRule[];
  rateLimits?: RateLimit[];
  preset?: RateLimitPreset;
}

const PRESETS: Record<RateLimitPreset, readonly RateLimit[]> = { aws: AWS_RATE_LIMITS };

/** Compiled once: `decide` runs for every call. */
const patterns = new Map<string, RegExp>();
const pattern = (source: string): RegExp => {
  let compiled = patterns.get(source);
  if (!compiled) {
    compiled = new RegExp(source);
    patterns.set(source, compiled);
  }
  return compiled;
};

const matches = (matcher: CallMatcher, service: ServiceId, operation: string) =>
  (matcher.service === undefined || matcher.service === service) &&
  (matcher.operation === undefined || matcher.operation === operation) &&
  (matcher.operations === undefined || matcher.operations.includes(operation)) &&
  (matcher.operationPattern === undefined || pattern(matcher.operationPattern).test(operation));

function checkRate(name: string, value: number | undefined): void {
  if (value !== undefined && !(value >= 0 && value <= 1))
    throw new RangeError(`${name} must be between 0 and 1, got ${value}`);
}

/** Faults drawn from a seeded random source, plus rate limits. */
export class InjectedFaults implements FaultPolicy {
  readonly config: Required<Omit<FaultConfig, "preset">> & Pick<FaultConfig, "preset">;
  /** The limits in force: those given, then the preset's. */
  readonly #rateLimits: readonly RateLimit[];
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
    if (config.preset !== undefined && !Object.hasOwn(PRESETS, config.preset))
      throw new RangeError(`unknown rate-limit preset "${config.preset}": use "aws"`);
    for (const limit of config.rateLimits ?? []) {
      if (!(limit.perSecond >= 0) || !(limit.burst >= 1))
        throw new RangeError("rate limits need perSecond >= 0 and burst >= 1");
      if (limit.operationPattern !== undefined) pattern(limit.operationPattern);
    }
    this.config = {
      seed: config.seed ?? 1,
      rules: config.rules ?? [],
      rateLimits: config.rateLimits ?? [],
      ...(config.preset ? { preset: config.preset } : {}),
    };
    this.#rateLimits = [...this.config.rateLimits, ...(config.preset ? PRESETS[config.preset] : [])];
    this.#random = new Random(this.config.seed);
    this.#realNow = realNow;
  }

  decide(service: ServiceId, operation: string, region = DEFAULT_REGION): Fault | undefined {
    if (!this.#takeTokens(service, operation, region)) return { kind: "throttle" };
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

  /** A token from every bucket the call draws from, or none at all (a throttled call costs nothing). */
  #takeTokens(service: ServiceId, operation: string, region: string): boolean {
    const matching = this.#rateLimits.filter((limit) => matches(limit, service, operation));
    const own = matching.find((limit) => !limit.alsoApplies);
    const limits = [...(own ? [own] : []), ...matching.filter((limit) => limit.alsoApplies)];
    if (limits.length === 0) return true;
    const now = this.#realNow();
    const buckets = limits.map((limit) =>
      this.#bucket(limit, bucketKey(limit, service, operation, region), now),
    );
    if (buckets.some((bucket) => bucket.tokens < 1)) return false;
    for (const bucket of buckets) bucket.tokens -= 1;
    return true;
  }

  /** The bucket under `key`, refilled up to now. */
  #bucket(limit: RateLimit, key: string, now: number): { tokens: number; updatedAt: number } {
    const bucket = this.#buckets.get(key) ?? { tokens: limit.burst, updatedAt: now };
    bucket.tokens = Math.min(
      limit.burst,
      bucket.tokens + ((now - bucket.updatedAt) / 1000) * limit.perSecond,
    );
    bucket.updatedAt = now;
    this.#buckets.set(key, bucket);
    return bucket;
  }
}

/** AWS throttles per account and region: a bucket is a region's (named, shared, or the operation's own). */
function bucketKey(limit: RateLimit, service: ServiceId, operation: string, region: string): string {
  const name =
    limit.bucket === undefined ? `${service}:${operation}` : `${limit.service ?? "*"}/${limit.bucket}`;
  return `${region}|${name}`;
}
