import { describe, expect, it } from "vitest";
import { documentedBuckets } from "./aws-rate-limits.ts";
import { classifyAwsError } from "./errors.ts";
import { AwsRateLimiter, ClientRateLimitError, type RateLimiterClock } from "./rate-limiter.ts";
import { TokenBucket } from "./token-bucket.ts";

/** A clock that moves only when told: sleepers wake when `advance` passes their time. */
class FakeClock implements RateLimiterClock {
  #now = 0;
  readonly #sleepers: Array<{ at: number; wake: () => void }> = [];

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const sleeper = { at: this.#now + ms, wake: resolve };
      this.#sleepers.push(sleeper);
      signal?.addEventListener("abort", () => {
        this.#sleepers.splice(this.#sleepers.indexOf(sleeper), 1);
        reject(signal.reason);
      });
    });
  }

  /** Moves time on and lets every sleeper due by then resume. */
  async advance(ms: number): Promise<void> {
    this.#now += ms;
    for (const sleeper of this.#sleepers.filter((candidate) => candidate.at <= this.#now)) {
      this.#sleepers.splice(this.#sleepers.indexOf(sleeper), 1);
      sleeper.wake();
    }
    await new Promise((resolve) => setImmediate(resolve));
  }

  get sleeping(): number {
    return this.#sleepers.length;
  }
}

describe("TokenBucket", () => {
  it("serves its burst at once, then refills at perSecond", () => {
    const bucket = new TokenBucket({ burst: 3, perSecond: 2 }, 0);
    for (let index = 0; index < 3; index++) bucket.take(0);
    expect(bucket.tokens(0)).toBe(0);
    expect(() => bucket.take(0)).toThrow(RangeError);
    expect(bucket.tokens(500)).toBe(1);
  });

  it("refills up to its burst and no further", () => {
    const bucket = new TokenBucket({ burst: 5, perSecond: 10 }, 0);
    for (let index = 0; index < 5; index++) bucket.take(0);
    expect(bucket.tokens(200)).toBe(2);
    expect(bucket.tokens(60_000)).toBe(5);
  });

  it("never adds tokens when the clock steps back", () => {
    const bucket = new TokenBucket({ burst: 1, perSecond: 1 }, 1000);
    bucket.take(1000);
    expect(bucket.tokens(500)).toBe(0);
    expect(bucket.tokens(1500)).toBe(0.5);
  });

  it("refuses a bucket that could never serve a call", () => {
    expect(() => new TokenBucket({ burst: 0.5, perSecond: 1 }, 0)).toThrow(RangeError);
    expect(() => new TokenBucket({ burst: 1, perSecond: 0 }, 0)).toThrow(RangeError);
  });
});

describe("AWS's documented buckets", () => {
  it.each([
    // [why, service, operation, bucket names]
    ["ECS categories share a bucket", "ecs", "ListClusters", ["ecs:cluster-read"]],
    ["DescribeServices is a service read", "ecs", "DescribeServices", ["ecs:service-read"]],
    ["EC2 throttles each action on its own", "ec2", "DescribeVpcs", ["ec2:DescribeVpcs"]],
    [
      "ELB calls also draw from the account bucket",
      "elbv2",
      "DescribeTags",
      ["elbv2:non-mutating", "elbv2:account"],
    ],
    [
      "ELB registration is its own category",
      "elbv2",
      "RegisterTargets",
      ["elbv2:registration", "elbv2:account"],
    ],
    ["DynamoDB's data plane is not rate-limited", "dynamodb", "UpdateItem", []],
  ] as const)("%s", (_why, service, operation, names) => {
    expect(documentedBuckets(service, operation).map((bucket) => bucket.name)).toEqual(names);
  });

  it("marks the figures AWS does not publish as unverified", () => {
    expect(documentedBuckets("ecs", "DescribeServices")[0]).toMatchObject({
      burst: 100,
      perSecond: 20,
      verified: true,
    });
    expect(documentedBuckets("autoscaling", "DescribeScalableTargets")[0]?.verified).toBe(false);
  });
});

describe("AwsRateLimiter", () => {
  const limiter = (clock: FakeClock, maxWaitMs = 60_000) =>
    new AwsRateLimiter({
      clock,
      maxWaitMs,
      settings: { scale: 0.5 },
      bucketsFor: (service, operation) => documentedBuckets(service, operation),
    });

  it("makes operations of one ECS category share a bucket, scaled below AWS's limit", async () => {
    const clock = new FakeClock();
    const limits = limiter(clock);
    // Cluster reads: burst 50, 20/s at AWS; 25 and 10/s at half.
    for (let index = 0; index < 25; index++)
      expect(await limits.acquire("ecs", index % 2 ? "ListClusters" : "DescribeClusters", "us-east-1")).toBe(
        0,
      );
    const waited = limits.acquire("ecs", "DescribeClusters", "us-east-1");
    expect(clock.sleeping).toBe(1);
    await clock.advance(100);
    expect(await waited).toBe(100);
  });

  it("keys buckets by region: another region has its own", async () => {
    const clock = new FakeClock();
    const limits = limiter(clock);
    for (let index = 0; index < 25; index++) await limits.acquire("ecs", "DescribeClusters", "us-east-1");
    expect(await limits.acquire("ecs", "DescribeClusters", "eu-west-1")).toBe(0);
  });

  it("serves waiting calls in the order they came, each as its token arrives", async () => {
    const clock = new FakeClock();
    const limits = limiter(clock);
    // ELB: every call also takes a token from the account bucket (40, 10/s; at half 20, 5/s).
    for (let index = 0; index < 20; index++) await limits.acquire("elbv2", "DescribeTags", "us-east-1");
    const order: number[] = [];
    const waits = [0, 1, 2].map((index) =>
      limits.acquire("elbv2", "DescribeTargetGroups", "us-east-1").then((ms) => {
        order.push(index);
        return ms;
      }),
    );
    await clock.advance(200);
    expect(order).toEqual([0]);
    await clock.advance(200);
    await clock.advance(200);
    expect(await Promise.all(waits)).toEqual([200, 400, 600]);
    expect(order).toEqual([0, 1, 2]);
  });

  it("fails a call at once, as throttled, when it would wait past the bound", async () => {
    const clock = new FakeClock();
    const limits = limiter(clock, 1000);
    // Service modify: 50 and 5/s at AWS; 25 and 2.5/s at half: the 28th call would wait 1.2 s.
    for (let index = 0; index < 27; index++) void limits.acquire("ecs", "UpdateService", "us-east-1");
    const error = await limits
      .acquire("ecs", "UpdateService", "us-east-1")
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ClientRateLimitError);
    expect(classifyAwsError(error)).toBe("throttled");
    // Nothing was taken for it: the two calls waiting before it are all that wait.
    expect(limits.waiting).toEqual({ urgent: 0, routine: 2 });
  });

  it("gives the tokens back when the caller's work is cancelled while it waits", async () => {
    const clock = new FakeClock();
    const limits = limiter(clock);
    for (let index = 0; index < 25; index++) await limits.acquire("ecs", "DescribeClusters", "us-east-1");
    const abort = new AbortController();
    const cancelled = limits.acquire("ecs", "DescribeClusters", "us-east-1", { signal: abort.signal });
    abort.abort(new Error("pass deadline"));
    await expect(cancelled).rejects.toThrow("pass deadline");
    // The next caller waits for the first token, not behind the cancelled one.
    const next = limits.acquire("ecs", "DescribeClusters", "us-east-1");
    await clock.advance(100);
    expect(await next).toBe(100);
  });

  it("tells observers how long each call waited; scale 0 turns limits off", async () => {
    const clock = new FakeClock();
    const limits = limiter(clock);
    const waits: string[] = [];
    const stop = limits.onWait((wait) =>
      waits.push(`${wait.service}:${wait.operation} ${wait.seconds}${wait.urgent ? " urgent" : ""}`),
    );
    for (let index = 0; index < 26; index++) {
      const call = limits.acquire("ecs", "DescribeClusters", "us-east-1", { urgent: index === 25 });
      await clock.advance(0);
      if (index === 25) await clock.advance(100);
      await call;
    }
    stop();
    expect(waits).toEqual(["ecs:DescribeClusters 0.1 urgent"]);
    limits.configure({ scale: 0 });
    for (let index = 0; index < 1000; index++)
      expect(await limits.acquire("ecs", "UpdateService", "us-east-1")).toBe(0);
  });

  it("serves an urgent call ahead of routine ones still waiting, and routine ones in order after it", async () => {
    const clock = new FakeClock();
    const limits = limiter(clock);
    for (let index = 0; index < 20; index++) await limits.acquire("elbv2", "DescribeTags", "us-east-1");
    const order: string[] = [];
    const call = (name: string, urgent: boolean) =>
      limits.acquire("elbv2", "DescribeListeners", "us-east-1", { urgent }).then((ms) => {
        order.push(name);
        return ms;
      });
    const routine = [call("resync-1", false), call("resync-2", false), call("resync-3", false)];
    await clock.advance(0);
    const urgent = call("edit", true);
    expect(limits.waiting).toEqual({ urgent: 1, routine: 3 });
    // 5 tokens a second: the edit's call takes the first token to come, then the resyncs theirs.
    await clock.advance(200);
    expect(order).toEqual(["edit"]);
    expect(await urgent).toBe(200);
    for (let step = 0; step < 3; step++) await clock.advance(200);
    expect(await Promise.all(routine)).toEqual([400, 600, 800]);
    expect(order).toEqual(["edit", "resync-1", "resync-2", "resync-3"]);
  });

  it("lets a call whose buckets have tokens go while calls on other buckets wait", async () => {
    const clock = new FakeClock();
    const limits = limiter(clock);
    for (let index = 0; index < 25; index++) await limits.acquire("ecs", "DescribeClusters", "us-east-1");
    const waiting = limits.acquire("ecs", "DescribeClusters", "us-east-1");
    await clock.advance(0);
    expect(await limits.acquire("ecs", "DescribeServices", "us-east-1")).toBe(0);
    await clock.advance(100);
    expect(await waiting).toBe(100);
  });
});
