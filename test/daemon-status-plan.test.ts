/**
 * The daemon's `/status` shows each service's last plan in `plan --json`'s documented shape: changes
 * with the documented actions only (never an internal no-op), what is left in place, what is held back.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { merge, specYaml } from "../specs/test-builders.ts";
import { killDaemons, startDaemonProcess } from "./support/daemon-process.ts";
import { type EmulatedAws, startEmulatedAws } from "./support/emulated-aws.ts";
import { waitFor } from "./support/wait-for.ts";

let aws: EmulatedAws;
let directory: string;

beforeAll(async () => {
  aws = await startEmulatedAws();
  directory = await mkdtemp(join(tmpdir(), "ecs-converge-status-plan-"));
});
afterEach(async () => {
  await killDaemons();
});
afterAll(async () => {
  await aws?.close();
  await rm(directory, { recursive: true, force: true });
});

const DOCUMENTED_ACTIONS = ["create", "update", "replace", "delete"];

describe("/status lastPlan", () => {
  it("has plan --json's keys and only documented actions", async () => {
    const file = join(directory, "service.yaml");
    await writeFile(file, specYaml(merge({ metadata: { name: "web" } }, {})));
    const daemon = await startDaemonProcess(["-f", file, "--dry-run"], {
      AWS_ENDPOINT_URL: aws.emulator.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "status-plan",
      AWS_SECRET_ACCESS_KEY: "status-plan",
    });
    const lastPlan = await waitFor("the first plan", async () => {
      const status = (await (await fetch(`${daemon.url}/status`)).json()) as {
        services: Array<{ lastPlan?: Record<string, unknown> }>;
      };
      return status.services[0]?.lastPlan;
    });
    expect(Object.keys(lastPlan).sort()).toEqual(["changes", "heldBack", "skipped", "summary", "waiting"]);
    const actions = (lastPlan.changes as Array<{ action: string }>).map((change) => change.action);
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) expect(DOCUMENTED_ACTIONS).toContain(action);
  });
});
