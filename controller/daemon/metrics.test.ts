import { register as globalRegistry } from "prom-client";
import { describe, expect, it } from "vitest";
import { DaemonMetrics } from "./metrics.ts";

/** The value of one sample line, `name{labels} value`, or undefined when the line is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const rendered = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .join(",");
  const head = rendered === "" ? name : `${name}{${rendered}}`;
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${head} `));
  return line === undefined ? undefined : Number(line.slice(head.length + 1));
}

describe("DaemonMetrics", () => {
  it("observes passes' waits for a concurrency slot by priority", async () => {
    const metrics = new DaemonMetrics();
    metrics.recordSlotWait("urgent", 0);
    metrics.recordSlotWait("resync", 0.3);
    metrics.recordSlotWait("resync", 40);

    const text = await metrics.text();

    expect(sample(text, "ecs_converge_pass_slot_wait_seconds_count", { priority: "urgent" })).toBe(1);
    expect(
      sample(text, "ecs_converge_pass_slot_wait_seconds_bucket", { le: "0.01", priority: "urgent" }),
    ).toBe(1);
    expect(
      sample(text, "ecs_converge_pass_slot_wait_seconds_bucket", { le: "0.5", priority: "resync" }),
    ).toBe(1);
    expect(sample(text, "ecs_converge_pass_slot_wait_seconds_bucket", { le: "60", priority: "resync" })).toBe(
      2,
    );
    expect(sample(text, "ecs_converge_pass_slot_wait_seconds_sum", { priority: "resync" })).toBeCloseTo(40.3);
  });

  it("sums rate-limit waits by operation and queue", async () => {
    const metrics = new DaemonMetrics();
    metrics.recordRateLimitWait("elbv2", "DescribeListeners", 0.25, false);
    metrics.recordRateLimitWait("elbv2", "DescribeListeners", 0.5, false);
    metrics.recordRateLimitWait("elbv2", "DescribeListeners", 0.125, true);

    const text = await metrics.text();

    const wait = (queue: string) =>
      sample(text, "ecs_converge_aws_rate_limit_wait_seconds_total", {
        aws_service: "elbv2",
        operation: "DescribeListeners",
        queue,
      });
    expect(wait("routine")).toBe(0.75);
    expect(wait("urgent")).toBe(0.125);
  });

  it("counts reconciles by result and observes their duration", async () => {
    const metrics = new DaemonMetrics();
    metrics.recordReconcile("web", "synced", 0.2);
    metrics.recordReconcile("web", "synced", 0.3);
    metrics.recordReconcile("web", "requeue", 1);
    metrics.recordReconcile("api", "terminal", 0.01);

    const text = await metrics.text();

    expect(sample(text, "ecs_converge_reconciles_total", { service: "web", result: "synced" })).toBe(2);
    expect(sample(text, "ecs_converge_reconciles_total", { service: "web", result: "requeue" })).toBe(1);
    expect(sample(text, "ecs_converge_reconciles_total", { service: "api", result: "terminal" })).toBe(1);
    // Durations by result across services: no series per service.
    expect(sample(text, "ecs_converge_reconcile_duration_seconds_count", { result: "synced" })).toBe(2);
    expect(sample(text, "ecs_converge_reconcile_duration_seconds_sum", { result: "synced" })).toBeCloseTo(
      0.5,
    );
    expect(
      sample(text, "ecs_converge_reconcile_duration_seconds_bucket", { le: "0.25", result: "synced" }),
    ).toBe(1);
    expect(
      sample(text, "ecs_converge_reconcile_duration_seconds_bucket", { le: "300", result: "requeue" }),
    ).toBe(1);
    expect(sample(text, "ecs_converge_reconcile_duration_seconds_count", { result: "terminal" })).toBe(1);
    expect(text).not.toMatch(/reconcile_duration_seconds_\w+\{[^}]*service=/);
  });

  it("counts drift per field, and AWS attempts and throttles per operation", async () => {
    const metrics = new DaemonMetrics();
    metrics.recordDrift("web", "service", "desiredCount");
    metrics.recordDrift("web", "service", "desiredCount");
    metrics.recordDrift("web", "target-group", "healthCheckPath");
    metrics.onAwsCall({ service: "ecs", operation: "DescribeServices", throttled: false });
    metrics.onAwsCall({
      service: "ecs",
      operation: "DescribeServices",
      throttled: true,
      error: "ThrottlingException",
    });
    metrics.recordAwsCall("ec2", "DescribeVpcs");
    metrics.recordThrottle("ec2", "DescribeVpcs");
    metrics.recordSlowReadDeferred("elbv2", "DescribeTargetHealth");

    const text = await metrics.text();

    const drift = "ecs_converge_drift_total";
    expect(sample(text, drift, { service: "web", resource: "service", field: "desiredCount" })).toBe(2);
    expect(sample(text, drift, { service: "web", resource: "target-group", field: "healthCheckPath" })).toBe(
      1,
    );
    const calls = "ecs_converge_aws_calls_total";
    const throttles = "ecs_converge_aws_throttles_total";
    expect(sample(text, calls, { aws_service: "ecs", operation: "DescribeServices" })).toBe(2);
    expect(sample(text, throttles, { aws_service: "ecs", operation: "DescribeServices" })).toBe(1);
    expect(sample(text, calls, { aws_service: "ec2", operation: "DescribeVpcs" })).toBe(1);
    expect(sample(text, throttles, { aws_service: "ec2", operation: "DescribeVpcs" })).toBe(1);
    const deferred = "ecs_converge_slow_reads_deferred_total";
    expect(sample(text, deferred, { aws_service: "elbv2", operation: "DescribeTargetHealth" })).toBe(1);
    // The managed service's label is `service` everywhere; the AWS one never reuses the name.
    expect(text).not.toMatch(/ecs_converge_aws_\w+\{service=/);
  });

  it("has every managed service's counters at zero before anything happens", async () => {
    const metrics = new DaemonMetrics();
    metrics.trackService("web");
    metrics.recordAwsCall("ecs", "DescribeServices");

    const text = await metrics.text();

    for (const result of ["synced", "requeue", "error", "terminal"])
      expect(sample(text, "ecs_converge_reconciles_total", { service: "web", result })).toBe(0);
    expect(sample(text, "ecs_converge_reconcile_passes_abandoned_total", { service: "web" })).toBe(0);
    // An operation that was called, and never throttled, has its throttle series at zero.
    expect(
      sample(text, "ecs_converge_aws_throttles_total", { aws_service: "ecs", operation: "DescribeServices" }),
    ).toBe(0);
  });

  it("sets services by condition from each snapshot, replacing the last one", async () => {
    const metrics = new DaemonMetrics();
    const gauge = "ecs_converge_services";

    // Before any snapshot every known pair is there, at zero.
    let text = await metrics.text();
    for (const condition of ["Ready", "Synced", "Degraded"]) {
      for (const status of ["True", "False"]) expect(sample(text, gauge, { condition, status })).toBe(0);
    }

    metrics.setConditions([
      {
        service: "web",
        conditions: [
          { type: "Ready", status: "True" },
          { type: "Synced", status: "True" },
          { type: "Degraded", status: "False" },
        ],
      },
      {
        service: "api",
        conditions: [
          { type: "Ready", status: "False" },
          { type: "Synced", status: "True" },
          { type: "Degraded", status: "True" },
        ],
      },
    ]);
    text = await metrics.text();
    expect(sample(text, gauge, { condition: "Ready", status: "True" })).toBe(1);
    expect(sample(text, gauge, { condition: "Ready", status: "False" })).toBe(1);
    expect(sample(text, gauge, { condition: "Synced", status: "True" })).toBe(2);
    expect(sample(text, gauge, { condition: "Synced", status: "False" })).toBe(0);
    expect(sample(text, gauge, { condition: "Degraded", status: "True" })).toBe(1);

    // "api" is no longer managed: its conditions leave the counts.
    metrics.setConditions([
      {
        service: "web",
        conditions: [
          { type: "Ready", status: "True" },
          { type: "Synced", status: "False" },
        ],
      },
    ]);
    text = await metrics.text();
    expect(sample(text, gauge, { condition: "Ready", status: "True" })).toBe(1);
    expect(sample(text, gauge, { condition: "Ready", status: "False" })).toBe(0);
    expect(sample(text, gauge, { condition: "Synced", status: "True" })).toBe(0);
    expect(sample(text, gauge, { condition: "Synced", status: "False" })).toBe(1);
    expect(sample(text, gauge, { condition: "Degraded", status: "True" })).toBe(0);
  });

  it("reports how long ago the stalest in-sync service was last read", async () => {
    const metrics = new DaemonMetrics();
    const gauge = "ecs_converge_oldest_sync_seconds";
    expect(sample(await metrics.text(), gauge)).toBe(0);

    // Passes that found three services in sync began at 10 s, 25 s and 40 s; it is now 41.5 s.
    metrics.setOldestSync([25_000, 10_000, 40_000], 41_500);
    expect(sample(await metrics.text(), gauge)).toBe(31.5);

    // None in sync (each one's last pass failed, or there is none): nothing is stale, the gauge is 0.
    metrics.setOldestSync([], 50_000);
    expect(sample(await metrics.text(), gauge)).toBe(0);
  });

  it("keeps each instance's counts to itself, off the global registry, with process metrics", async () => {
    const first = new DaemonMetrics();
    const second = new DaemonMetrics();
    first.recordReconcile("web", "error", 2);

    const [firstText, secondText] = [await first.text(), await second.text()];

    expect(sample(firstText, "ecs_converge_reconciles_total", { service: "web", result: "error" })).toBe(1);
    expect(secondText).not.toContain('result="error"');
    expect(await globalRegistry.metrics()).not.toContain("ecs_converge_");
    expect(firstText).toContain("process_cpu_user_seconds_total");
    expect(firstText).toContain("nodejs_eventloop_lag_seconds");
    expect(first.contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
  });
});
