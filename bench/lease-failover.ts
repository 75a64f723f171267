/**
 * How fast services move between replicas, and what leases cost: two `ecs-converge run` processes on
 * four specs share them through the emulator's DynamoDB; one is stopped with SIGTERM (it hands its
 * leases back) or SIGKILL (its leases must expire), and the time until the survivor holds every lease is
 * printed, with the lease table calls per replica per round. Real time on this machine: printed, never asserted.
 *
 *   node bench/lease-failover.ts
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ScaledClock, startEmulator } from "../emulator/index.ts";
import { merge, specYaml } from "../specs/test-builders.ts";
import { type DaemonProcess, killDaemons, startDaemonProcess } from "../test/support/daemon-process.ts";
import { stopChildrenOnSignal } from "./stop-on-signal.ts";

const SERVICES = ["alpha", "bravo", "charlie", "delta"];
const LEASE_SECONDS = 8;

interface Figures {
  signal: string;
  leaseSeconds: number;
  movedMs: number;
  tableCallsPerRound: number;
}

async function owners(replica: DaemonProcess): Promise<Record<string, string | undefined>> {
  const status = (await replica.status()) as unknown as {
    leases?: { leases: Array<{ service: string; owner?: string }> };
  };
  return Object.fromEntries((status.leases?.leases ?? []).map((lease) => [lease.service, lease.owner]));
}

async function until(what: string, probe: () => Promise<boolean>, deadlineMs = 120_000): Promise<number> {
  const started = performance.now();
  while (!(await probe())) {
    if (performance.now() - started > deadlineMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
  return performance.now() - started;
}

async function measure(signal: "SIGTERM" | "SIGKILL"): Promise<Figures> {
  const emulator = await startEmulator({ port: 0, clock: new ScaledClock(600) });
  const directory = await mkdtemp(join(tmpdir(), "ecs-converge-bench-leases-"));
  try {
    for (const name of SERVICES)
      await writeFile(join(directory, `${name}.yaml`), specYaml(merge({ metadata: { name } }, {})));
    const start = (id: string) =>
      startDaemonProcess(
        [
          "-f",
          directory,
          "--lease-table",
          "leases",
          "--lease-duration",
          `${LEASE_SECONDS}s`,
          "--call-timeout",
          "2s",
          "--connect-timeout",
          "1s",
          "--replica-id",
          id,
        ],
        {
          AWS_ENDPOINT_URL: emulator.url,
          AWS_REGION: "us-east-1",
          AWS_ACCESS_KEY_ID: id,
          AWS_SECRET_ACCESS_KEY: id,
        },
      );
    const [one, two] = await Promise.all([start("one"), start("two")]);
    await until("a fair split", async () => {
      const table = await owners(one);
      return (
        SERVICES.filter((service) => table[service] === "one").length === 2 &&
        SERVICES.filter((service) => table[service] === "two").length === 2
      );
    });

    // Lease table calls in steady state: count over a window of several renewal rounds.
    const roundMs = (LEASE_SECONDS * 1000) / 4;
    const from = emulator.calls.calls().length;
    await sleep(4 * roundMs);
    const tableCalls = emulator.calls
      .calls()
      .slice(from)
      .filter((call) => call.service === "dynamodb").length;

    one.child.kill(signal);
    const movedMs = await until("the survivor to hold every lease", async () => {
      const table = await owners(two);
      return SERVICES.every((service) => table[service] === "two");
    });
    return { signal, leaseSeconds: LEASE_SECONDS, movedMs, tableCallsPerRound: tableCalls / 4 / 2 };
  } finally {
    await killDaemons();
    await emulator.close();
    await rm(directory, { recursive: true, force: true });
  }
}

export async function benchLeaseFailover(): Promise<Figures[]> {
  const figures = [await measure("SIGTERM"), await measure("SIGKILL")];
  console.log(`Lease failover: 2 replicas, ${SERVICES.length} services, --lease-duration ${LEASE_SECONDS}s`);
  console.log("replica stopped by | services all moved after | lease table calls per replica per round");
  for (const figure of figures)
    console.log(
      `${figure.signal.padEnd(18)} | ${(figure.movedMs / 1000).toFixed(1).padStart(6)} s${" ".repeat(17)} | ${figure.tableCallsPerRound.toFixed(1)}`,
    );
  return figures;
}

if (import.meta.main) {
  stopChildrenOnSignal();
  await benchLeaseFailover();
}
