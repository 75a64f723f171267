/**
 * AWS calls that hang (the emulator's latency fault, longer than any timeout): the daemon turns them
 * into retried, counted failures, abandons a pass at its deadline without starving other services,
 * and fails /healthz when a worker stops making progress; apply and destroy end at --timeout.
 * Assertions read /status, /healthz, /metrics, the log and the exit code; never wall-clock durations.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { merge, specYaml } from "../specs/test-builders.ts";
import { runCliWithEnvironment } from "./support/cli-session.ts";
import { type DaemonStatus, killDaemons, startDaemonProcess } from "./support/daemon-process.ts";
import { type EmulatedAws, startEmulatedAws } from "./support/emulated-aws.ts";
import { waitFor } from "./support/wait-for.ts";

/** Longer than any timeout the tests set, short enough that the emulator's timers end soon after. */
const HANG_MS = 20_000;

let aws: EmulatedAws;
let directory: string;
const savedEnvironment = { ...process.env };

beforeAll(async () => {
  aws = await startEmulatedAws();
});
afterAll(async () => {
  process.env = savedEnvironment;
  await aws?.close();
});
beforeEach(async () => {
  aws.emulator.reset();
  aws.emulator.clearFaults();
  directory = await mkdtemp(join(tmpdir(), "ecs-converge-hung-"));
});
afterEach(async () => {
  process.env = savedEnvironment;
  aws.emulator.clearFaults();
  await killDaemons();
  await rm(directory, { recursive: true, force: true });
});

const environment = () => ({
  AWS_ENDPOINT_URL: aws.emulator.url,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "daemon",
  AWS_SECRET_ACCESS_KEY: "daemon",
  AWS_EC2_METADATA_DISABLED: "true",
});

async function writeSpecs(names: string[]): Promise<void> {
  for (const name of names)
    await writeFile(join(directory, `${name}.yaml`), specYaml(merge({ metadata: { name } }, {})));
}

/** Every ECS call hangs: whatever a pass does first, it soon waits on ECS. */
const hangEcs = () => aws.emulator.injectFaults({ rules: [{ service: "ecs", latencyMs: HANG_MS }] });

const condition = (status: DaemonStatus, service: string, type: string) =>
  status.services.find((entry) => entry.service === service)?.conditions.find((entry) => entry.type === type);

describe("the daemon with hanging AWS calls", () => {
  it("times each attempt out, retries it, counts it, and reports the failure while /healthz stays ok", async () => {
    await writeSpecs(["web"]);
    hangEcs();
    const daemon = await startDaemonProcess(
      ["-f", directory, "--call-timeout", "300ms", "--pass-timeout", "5m"],
      environment(),
    );

    const failed = await daemon.waitForLog(
      "a pass to fail on the timed-out calls",
      (line) => line.msg === "reconcile failed; retrying with backoff" && line.service === "web",
      60_000,
    );
    expect(String(failed.error)).toMatch(/timeout|timed out|did not complete/i);
    const status = await daemon.status();
    expect(condition(status, "web", "Synced")).toMatchObject({ status: "False", reason: "ReconcileError" });
    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    // Every attempt is counted: the SDK retried the hung call (6 attempts) before giving up.
    const attempts = [
      ...metrics.matchAll(/ecs_converge_aws_calls_total\{aws_service="ecs",operation="\w+"\} (\d+)/g),
    ];
    expect(attempts.reduce((sum, match) => sum + Number(match[1]), 0)).toBeGreaterThanOrEqual(6);
    expect((await fetch(`${daemon.url}/healthz`)).status).toBe(200);
  });

  it("abandons a pass at its deadline, and a fifth service is not starved by four hung passes", async () => {
    const names = ["one", "two", "three", "four", "five"];
    await writeSpecs(names);
    hangEcs();
    const daemon = await startDaemonProcess(
      ["-f", directory, "--concurrency", "4", "--call-timeout", "1m", "--pass-timeout", "2s"],
      environment(),
    );

    const abandoned = await daemon.waitForLog(
      "a pass abandoned at its deadline",
      (line) => line.msg === "reconcile pass ran past its deadline: abandoning it",
      60_000,
    );
    expect(JSON.stringify(abandoned.inFlight)).toContain('"call":"ecs:');
    await waitFor(
      "every service, the fifth included, to have its pass abandoned and reported",
      async () => {
        const status = await daemon.status();
        return names.every((name) => condition(status, name, "Synced")?.reason === "PassDeadlineExceeded")
          ? true
          : undefined;
      },
      60_000,
    );
    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    for (const name of names)
      expect(metrics).toMatch(
        new RegExp(`ecs_converge_reconcile_passes_abandoned_total\\{service="${name}"\\} [1-9]`),
      );
    // Abandoned passes are progress: the loop is alive and retrying, so the daemon is healthy.
    expect((await fetch(`${daemon.url}/healthz`)).status).toBe(200);
  });

  // About 20 s alone (the hung pass must end before /healthz recovers): room for a busy machine.
  it("fails /healthz and names the stuck service and its call when no pass finishes within --watchdog", {
    timeout: 120_000,
  }, async () => {
    await writeSpecs(["web"]);
    hangEcs();
    const daemon = await startDaemonProcess(
      ["-f", directory, "--call-timeout", "1m", "--pass-timeout", "1m", "--watchdog", "2s"],
      environment(),
    );

    const unhealthy = await waitFor(
      "/healthz to fail",
      async () => {
        const response = await fetch(`${daemon.url}/healthz`);
        return response.status === 503 ? await response.text() : undefined;
      },
      30_000,
    );
    expect(unhealthy).toMatch(
      /^unhealthy: service web: no reconcile finished for \d+ s, waiting for its reconcile pass \(in ecs:\w+ for \d+ s/,
    );
    const status = (await daemon.status()) as DaemonStatus & {
      health: { healthy: boolean };
      services: Array<{ stuck?: { inFlight: Array<{ call: string }> } }>;
    };
    expect(status.health.healthy).toBe(false);
    expect(status.services[0]?.stuck?.inFlight[0]?.call).toMatch(/^ecs:/);

    // Once AWS answers again the pass finishes and the daemon is healthy again, without a restart.
    aws.emulator.clearFaults();
    await waitFor(
      "/healthz to recover",
      async () => ((await fetch(`${daemon.url}/healthz`)).status === 200 ? true : undefined),
      60_000,
    );
  });
});

describe("--timeout with hanging AWS calls", () => {
  const run = (...args: string[]) => runCliWithEnvironment(args, environment());

  it("ends apply --wait with exit 1 and says which call it abandoned", async () => {
    await writeSpecs(["web"]);
    hangEcs();
    const result = await run("apply", "-f", directory, "--wait", "--timeout", "3s", "--call-timeout", "1m");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/service "web": ecs:\w+ abandoned: --timeout 3s reached/);
    expect(result.stderr).toContain("running the command again carries on");
  });

  it("ends destroy --yes with exit 1", async () => {
    await writeSpecs(["web"]);
    hangEcs();
    const result = await run("destroy", "-f", directory, "--yes", "--timeout", "2s", "--call-timeout", "1m");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/abandoned: --timeout 2s reached/);
  });
});
