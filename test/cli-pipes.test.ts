/**
 * Human output piped into a reader that stops early (`validate … | head -1`, `plan | head`): the CLI
 * stops writing and finishes with its own exit code, without an unhandled EPIPE and its stack trace.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { specYaml } from "../specs/test-builders.ts";
import { type EmulatedAws, startEmulatedAws } from "./support/emulated-aws.ts";

const cli = fileURLToPath(new URL("../controller/cli/main.ts", import.meta.url));
let aws: EmulatedAws;
let directory: string;

beforeAll(async () => {
  aws = await startEmulatedAws();
  directory = await mkdtemp(join(tmpdir(), "ecs-converge-pipes-"));
});
afterAll(async () => {
  await aws?.close();
  await rm(directory, { recursive: true, force: true });
});

/** Runs the CLI with its stdout a pipe whose reader has already gone: every write to it fails with EPIPE. */
function runIntoClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: aws.emulator.url,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "pipes",
        AWS_SECRET_ACCESS_KEY: "pipes",
        AWS_EC2_METADATA_DISABLED: "true",
      },
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("output into a pipe that closes early", () => {
  it.each([
    { reason: "validate of a valid spec", args: ["validate"], valid: true, code: 0 },
    { reason: "validate of an invalid spec keeps its exit code", args: ["validate"], valid: false, code: 1 },
    {
      reason: "plan with changes keeps --detailed-exitcode's 2",
      args: ["plan", "--detailed-exitcode"],
      valid: true,
      code: 2,
    },
    { reason: "iam-policy", args: ["iam-policy"], valid: true, code: 0 },
  ])("$reason", async ({ args, valid, code }) => {
    const file = join(directory, `${valid ? "valid" : "invalid"}.yaml`);
    await writeFile(file, valid ? specYaml() : specYaml({ spec: { task: { cpu: 3 } } }));
    const withFile = args[0] === "iam-policy" ? args : [...args, "-f", file];
    const result = await runIntoClosedPipe(withFile);
    expect(result.stderr).not.toMatch(/EPIPE|Unhandled|at .*\.ts:\d+/);
    expect(result.code).toBe(code);
  });
});

describe("a spec piped in (-f -)", () => {
  it("plan reads it from stdin and names it <stdin>", async () => {
    const child = spawn(process.execPath, [cli, "plan", "-f", "-", "--detailed-exitcode"], {
      stdio: ["pipe", "pipe", "pipe"],
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: aws.emulator.url,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "pipes",
        AWS_SECRET_ACCESS_KEY: "pipes",
        AWS_EC2_METADATA_DISABLED: "true",
      },
    });
    child.stdin.end(specYaml());
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stdout).toContain('Service "web" in us-east-1 (<stdin>):');
    expect(stdout).toMatch(/\+ create LoadBalancer web/);
    expect(code).toBe(2);
  });
});
