/**
 * With autoscaling, desiredCount is autoscaling's: an edit of it changes nothing, and validate, plan and
 * the daemon say so. The README's demo edits of the sample spec (an environment variable, minTasks) do
 * change something. Against the emulator, through the CLI and the daemon as users run them.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../controller/cli/program.ts";
import { captureStreams } from "../controller/cli/test-streams.ts";
import { merge, specYaml } from "../specs/test-builders.ts";
import { killDaemons, startDaemonProcess } from "./support/daemon-process.ts";
import { type EmulatedAws, startEmulatedAws } from "./support/emulated-aws.ts";
import { waitFor } from "./support/wait-for.ts";

let aws: EmulatedAws;
let directory: string;
const savedEnvironment = { ...process.env };
const sampleSpec = new URL("../service.yaml", import.meta.url);

beforeAll(async () => {
  aws = await startEmulatedAws();
});
afterAll(async () => {
  process.env = savedEnvironment;
  await aws?.close();
});
beforeEach(async () => {
  aws.emulator.reset();
  directory = await mkdtemp(join(tmpdir(), "ecs-converge-autoscaling-owned-"));
  process.env = { ...savedEnvironment, ...environment() };
});
afterEach(async () => {
  await killDaemons();
  await rm(directory, { recursive: true, force: true });
});

const environment = () => ({
  AWS_ENDPOINT_URL: aws.emulator.url,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "autoscaling-owned",
  AWS_SECRET_ACCESS_KEY: "autoscaling-owned",
  AWS_EC2_METADATA_DISABLED: "true",
});

async function run(...args: string[]) {
  const streams = captureStreams();
  const code = await runCli(args, streams);
  return { code, stdout: streams.stdoutText(), stderr: streams.stderrText() };
}

const scaled = (desiredCount?: number) =>
  specYaml(
    merge(
      { metadata: { name: "web" } },
      {
        spec: {
          service: desiredCount === undefined ? {} : { desiredCount },
          autoscaling: { minTasks: 2, maxTasks: 6 },
        },
      },
    ),
  );

async function ecsService() {
  const { services = [] } = await aws.operator.ecs.send(
    new DescribeServicesCommand({ cluster: "web", services: ["web"] }),
  );
  return services[0];
}

describe("a desiredCount autoscaling owns", () => {
  it("is a warning in validate, and a note in plan and plan --json after an edit that plans nothing", async () => {
    const file = join(directory, "service.yaml");
    await writeFile(file, scaled(2));
    expect((await run("apply", "-f", file)).code).toBe(0);

    await writeFile(file, scaled(3));
    const validated = await run("validate", "-f", file);
    expect(validated.code).toBe(0);
    expect(validated.stdout + validated.stderr).toMatch(
      /spec\.service\.desiredCount: desiredCount is managed by autoscaling within \[2, 6\]/,
    );

    const planned = await run("plan", "-f", file, "--detailed-exitcode");
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain("No changes: AWS matches the spec.");
    expect(planned.stdout).toMatch(
      /note: desiredCount is managed by autoscaling within \[2, 6\]: the service has 2, the spec's 3 is used only when the service is created/,
    );
    const document = JSON.parse((await run("plan", "-f", file, "--json")).stdout);
    expect(document.notes).toEqual([
      { path: "spec.service.desiredCount", message: expect.stringMatching(/^desiredCount is managed/) },
    ]);
    expect((await ecsService())?.desiredCount).toBe(2);
  });

  it("has no note when the spec and the service agree", async () => {
    const file = join(directory, "service.yaml");
    await writeFile(file, scaled());
    expect((await run("apply", "-f", file)).code).toBe(0);
    const document = JSON.parse((await run("plan", "-f", file, "--json")).stdout);
    expect(document.notes).toEqual([]);
  });

  it("is logged by the daemon when an edit asks for another count, and the count stays autoscaling's", async () => {
    const file = join(directory, "service.yaml");
    await writeFile(file, scaled(2));
    const daemon = await startDaemonProcess(["-f", file], environment());
    await daemon.waitForLog(
      "the service to be created",
      (line) => line.msg === "created" && line.resource === "Service",
    );

    await writeFile(file, scaled(3));
    const logged = await daemon.waitForLog(
      "the desiredCount note",
      (line) => line.msg === "desiredCount is managed by autoscaling",
      60_000,
    );
    expect(logged).toMatchObject({ service: "web", desired: 3, observed: 2, within: "[2, 6]" });
    expect((await ecsService())?.desiredCount).toBe(2);
  });
});

describe("the README's demo edits of the sample spec", () => {
  it("roll out a new revision for APP_VERSION, and start a third task for autoscaling.minTasks: 3", async () => {
    const file = join(directory, "service.yaml");
    const sample = await readFile(sampleSpec, "utf8");
    await writeFile(file, sample);
    const daemon = await startDaemonProcess(["-f", file], environment());
    await daemon.waitForLog("the first rollout", (line) => line.msg === "rollout completed", 60_000);

    const edited = sample
      .replace('APP_VERSION: "1.0.0"', 'APP_VERSION: "1.0.1"')
      .replace("minTasks: 2", "minTasks: 3");
    expect(edited).not.toBe(sample);
    await writeFile(file, edited);

    const service = await waitFor(
      "the new revision with three tasks",
      async () => {
        const found = await ecsService();
        return found?.taskDefinition?.endsWith(":2") && found.desiredCount === 3 ? found : undefined;
      },
      60_000,
    );
    const { taskDefinition } = await aws.operator.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }),
    );
    expect(taskDefinition?.containerDefinitions?.[0]?.environment).toContainEqual({
      name: "APP_VERSION",
      value: "1.0.1",
    });
  });
});
