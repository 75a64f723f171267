/**
 * When AWS keeps failing a call until the SDK's retries run out, the CLI names the operation, the
 * resource and the retries, instead of AWS's bare "We encountered an internal error" and "this is
 * unexpected". Faults come from the emulator's injection: every call of one operation fails.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_ATTEMPTS } from "../controller/aws/clients.ts";
import { specYaml } from "../specs/test-builders.ts";
import { useCliSession } from "./support/cli-session.ts";
import { killDaemons, startDaemonProcess } from "./support/daemon-process.ts";

const session = useCliSession("retries");
const { run } = session;
let spec: string;

beforeAll(async () => {
  spec = join(session.directory, "service.yaml");
  await writeFile(spec, specYaml());
});

describe("AWS retries that run out", () => {
  it("a read: plan names ECS DescribeServices, the cluster and service, and the retries", async () => {
    expect((await run("apply", "-f", spec)).code).toBe(0);
    session.aws.emulator.injectFaults({
      rules: [{ service: "ecs", operation: "DescribeServices", errorRate: 1 }],
    });
    const { code, stderr } = await run("plan", "-f", spec);
    expect(code).toBe(1);
    expect(stderr).toContain(
      `error: service "web": ECS DescribeServices (cluster web; services web) failed after ${MAX_ATTEMPTS} attempts (retried ${MAX_ATTEMPTS - 1} times): InternalFailure: We encountered an internal error. Please try again.`,
    );
    expect(stderr).toMatch(/running the command again carries on/);
    expect(stderr).not.toMatch(/this is unexpected/);
    const describes = session.aws.emulator.calls
      .calls()
      .filter((call) => call.operation === "DescribeServices");
    expect(describes.filter((call) => call.error === "InternalFailure")).toHaveLength(MAX_ATTEMPTS);
  });

  it("a write: apply names CloudWatch Logs CreateLogGroup and the log group, which does not exist", async () => {
    session.aws.emulator.injectFaults({
      rules: [{ service: "logs", operation: "CreateLogGroup", errorRate: 1 }],
    });
    const { code, stderr } = await run("apply", "-f", spec);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /error: service "web": CloudWatch Logs CreateLogGroup \(logGroupName \/ecs\/web\) failed after \d+ attempts \(retried \d+ times\): InternalFailure/,
    );
    expect(stderr).not.toMatch(/this is unexpected/);
    session.aws.emulator.clearFaults();
    const { logGroups } = await session.aws.operator.logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ecs/web" }),
    );
    expect(logGroups ?? []).toEqual([]);
  });

  it("the daemon logs and reports the same: the call, its resource and the retries", async () => {
    session.aws.emulator.injectFaults({ rules: [{ service: "ecs", errorRate: 1 }] });
    const daemon = await startDaemonProcess(["-f", spec], {
      AWS_ENDPOINT_URL: session.aws.emulator.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "retries",
      AWS_SECRET_ACCESS_KEY: "retries",
    });
    try {
      const failed = await daemon.waitForLog(
        "a pass to fail on the failing ECS calls",
        (line) => line.msg === "reconcile failed; retrying with backoff",
        60_000,
      );
      const named = new RegExp(
        `^ECS \\w+ \\(.*web.*\\) failed after ${MAX_ATTEMPTS} attempts \\(retried ${MAX_ATTEMPTS - 1} times\\): InternalFailure: `,
      );
      expect(String(failed.error)).toMatch(named);
      const status = await daemon.status();
      expect(status.services[0]?.lastError).toMatch(named);
    } finally {
      await killDaemons();
    }
  });
});
