/**
 * `run --emulator` looks at a rollout at AWS's pace in simulated time. The daemon's timers run in real
 * time and the built-in emulator's clock 60× faster: a real 2 s between looks was two simulated minutes,
 * so a service that had converged went unnoticed for up to that long. Judged from the emulator's call
 * log and its deployment, both in simulated time, never from the wall clock.
 */

import { fileURLToPath } from "node:url";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { createAwsClients } from "../controller/aws/clients.ts";
import { runCommand } from "../controller/cli/commands/run.ts";
import { captureStreams } from "../controller/cli/test-streams.ts";
import { remoteCallLog } from "./support/fleet.ts";
import { waitFor } from "./support/wait-for.ts";

const SERVICE_YAML = fileURLToPath(new URL("../service.yaml", import.meta.url));
const DEADLINE_MS = 60_000;

interface LogLine {
  msg: string;
  url?: string;
}

describe("run --emulator", () => {
  it("reads the service every few simulated seconds while its first rollout is in progress", {
    timeout: 120_000,
  }, async () => {
    const streams = captureStreams();
    let stop: (signal: string) => void = () => {};
    const stopped = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const running = runCommand(
      {
        file: SERVICE_YAML,
        emulator: true,
        emulatorSpeed: "60",
        listenerPorts: "80=0",
        listen: "127.0.0.1:0",
        resync: "60s",
        slowResync: "10m",
        concurrency: "1",
        logLevel: "info",
        logFormat: "json",
        passTimeout: "10m",
        watchdog: "15m",
        leaseDuration: "60s",
      },
      streams,
      stopped,
    );
    try {
      const logged = (prefix: string) => () =>
        streams
          .stdoutText()
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line) as LogLine)
          .find((line) => line.msg.startsWith(prefix));
      const started = await waitFor("the emulator", logged("built-in AWS emulator started"), DEADLINE_MS);
      await waitFor("the service to be ready", logged("service ready"), DEADLINE_MS);
      const endpoint = String(started.url);
      // The daemon's calls, copied before this test makes its own.
      const calls = await remoteCallLog(endpoint).calls();
      const clients = createAwsClients({ region: "us-east-1", endpoint });
      const { services = [] } = await clients.ecs.send(
        new DescribeServicesCommand({ cluster: "web", services: ["web"] }),
      );
      clients.ecs.destroy();
      const completed = services[0]?.deployments?.find(
        (deployment) => deployment.rolloutState === "COMPLETED",
      );
      const completedAt = completed?.updatedAt?.getTime() ?? Number.NaN;
      const createdAt = calls.find((call) => call.operation === "CreateService")?.time ?? Number.NaN;
      const reads = calls.filter((call) => call.operation === "DescribeServices").map((call) => call.time);

      // The rollout takes over two simulated minutes (the load balancer provisions for two): a real 2 s
      // poll read the service about once in it, a 2-simulated-second one dozens of times.
      expect(completedAt - createdAt).toBeGreaterThan(120_000);
      expect(reads.filter((at) => at > createdAt && at < completedAt).length).toBeGreaterThanOrEqual(10);
      // And the converged service is noticed within seconds, not up to two minutes.
      const noticedAt = reads.find((at) => at >= completedAt) ?? Number.NaN;
      expect(noticedAt - completedAt).toBeLessThan(30_000);
    } finally {
      stop("SIGTERM");
      await running;
    }
  });
});
