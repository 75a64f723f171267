import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { specYaml } from "../../specs/test-builders.ts";
import { runCli } from "./program.ts";
import { captureStreams } from "./test-streams.ts";

const repository = fileURLToPath(new URL("../../", import.meta.url));
const fullExample = join(repository, "specs/examples/full.yaml");
const ANSI_ESCAPE = "\u001b[";

async function run(...args: string[]) {
  const streams = captureStreams();
  const code = await runCli(args, streams);
  return { code, stdout: streams.stdoutText(), stderr: streams.stderrText() };
}

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "ecs-converge-cli-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function specFile(name: string, text: string): Promise<string> {
  const file = join(directory, name);
  await writeFile(file, text);
  return file;
}

describe("ecs-converge --help", () => {
  it("lists the commands and exits 0", async () => {
    const { code, stdout } = await run("--help");
    expect(code).toBe(0);
    expect(stdout).toMatch(/validate \[options\]/);
    expect(stdout).toMatch(/schema/);
  });

  it("prints the version", async () => {
    const { code, stdout } = await run("--version");
    const { version } = JSON.parse(await readFile(join(repository, "package.json"), "utf8"));
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(version);
  });

  it("refuses an unknown command with exit 1", async () => {
    const { code, stderr } = await run("frobnicate");
    expect(code).toBe(1);
    expect(stderr).toMatch(/unknown command 'frobnicate'/);
  });
});

describe("ecs-converge validate", () => {
  it("accepts a valid spec: exit 0 and a summary without secret values", async () => {
    const { code, stdout, stderr } = await run("validate", "-f", fullExample);
    expect(code).toBe(0);
    expect(stdout).toMatch(/service "orders-api" is valid/);
    expect(stdout).toMatch(/secrets: DATABASE_URL, STRIPE_KEY/);
    expect(stdout).not.toMatch(/secretsmanager|parameter\/orders/);
    expect(stderr).toBe("");
  });

  it("rejects an invalid spec: exit 1 and file:line:col path: message, no stack trace", async () => {
    const file = await specFile(
      "broken.yaml",
      specYaml({ spec: { task: { cpu: 1024, memory: 512 }, autoscaling: { minTasks: 4, maxTasks: 2 } } }),
    );
    const { code, stderr } = await run("validate", "-f", file);
    expect(code).toBe(1);
    expect(stderr).toContain(`error: ${file}:`);
    expect(stderr).toMatch(/broken\.yaml:\d+:\d+ spec\.task\.memory: 512 MiB is not a Fargate size/);
    expect(stderr).toMatch(/broken\.yaml:\d+:\d+ spec\.autoscaling\.maxTasks: must be >= minTasks \(4\)/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("passes with warnings, printing them", async () => {
    const file = await specFile(
      "warn.yaml",
      specYaml({ spec: { service: { healthCheckGracePeriodSeconds: 10 } } }),
    );
    const { code, stderr } = await run("validate", "-f", file);
    expect(code).toBe(0);
    expect(stderr).toMatch(
      /warning: .*warn\.yaml:\d+:\d+ spec\.service\.healthCheckGracePeriodSeconds: 10 s is shorter/,
    );
  });

  it("reports a directory file by file and fails if any file is invalid", async () => {
    const specs = join(directory, "many");
    await rm(specs, { recursive: true, force: true });
    await mkdir(specs);
    await writeFile(join(specs, "a.yaml"), specYaml({ metadata: { name: "alpha" } }));
    await writeFile(join(specs, "b.yaml"), "apiVersion: [\n");
    const { code, stdout, stderr } = await run("validate", "-f", specs);
    expect(code).toBe(1);
    expect(stdout).toMatch(/a\.yaml: service "alpha" is valid/);
    expect(stderr).toMatch(/b\.yaml: 1 problem/);
  });

  it("prints a stable JSON report with --json", async () => {
    const valid = await specFile("ok.yaml", specYaml());
    const { code, stdout } = await run("validate", "-f", valid, "--json");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      valid: true,
      files: [{ file: valid, valid: true, service: "web", errors: [], warnings: [] }],
    });

    const invalid = await specFile("bad.yaml", specYaml({ kind: "Pod" }));
    const failed = await run("validate", "-f", invalid, "--json");
    expect(failed.code).toBe(1);
    const report = JSON.parse(failed.stdout);
    expect(report.valid).toBe(false);
    expect(report.files[0].errors[0]).toEqual({
      severity: "error",
      file: invalid,
      line: expect.any(Number),
      column: expect.any(Number),
      path: "kind",
      message: 'must be "Service"',
    });
  });

  it("names a missing file in one line", async () => {
    const { code, stderr } = await run("validate", "-f", join(directory, "absent.yaml"));
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`error: ${join(directory, "absent.yaml")}: no such file or directory`);
  });

  it("requires -f", async () => {
    const { code, stderr } = await run("validate");
    expect(code).toBe(1);
    expect(stderr).toMatch(/required option '-f, --file <path>'/);
  });

  it("writes no colour codes when the output is not a terminal", async () => {
    const file = await specFile("plain.yaml", specYaml({ kind: "Pod" }));
    const { stdout, stderr } = await run("validate", "-f", file);
    expect(stdout + stderr).not.toContain(ANSI_ESCAPE);
  });
});

describe("ecs-converge schema", () => {
  it("prints the committed JSON Schema", async () => {
    const { code, stdout } = await run("schema");
    expect(code).toBe(0);
    expect(stdout).toBe(await readFile(join(repository, "specs/service.schema.json"), "utf8"));
  });
});

describe("duration options", () => {
  /** Every `--<name> <duration>` option of every command, read from the commands' own help. */
  async function durationOptions(): Promise<Array<{ command: string; option: string }>> {
    const { stdout } = await run("--help");
    const commands = [...stdout.matchAll(/^ {2}([a-z-]+)(?: \[options\])?\s/gm)].map(
      (match) => match[1] ?? "",
    );
    const found: Array<{ command: string; option: string }> = [];
    for (const command of commands.filter((name) => name !== "help")) {
      const help = (await run(command, "--help")).stdout;
      for (const match of help.matchAll(/(--[a-z-]+) <duration>/g))
        found.push({ command, option: match[1] ?? "" });
    }
    return found;
  }

  it("all use the one duration grammar with bounds: 0s is refused by name before anything runs", async () => {
    const options = await durationOptions();
    expect(options.map(({ command, option }) => `${command} ${option}`)).toEqual(
      expect.arrayContaining([
        "run --resync",
        "apply --timeout",
        "apply --poll-interval",
        "plan --call-timeout",
      ]),
    );
    for (const { command, option } of options) {
      // A spec that does not exist: an option checked only after loading would report the file instead.
      const { code, stderr } = await run(command, "-f", "/nonexistent/service.yaml", option, "0s");
      expect(code, `${command} ${option} 0s`).toBe(1);
      expect(stderr, `${command} ${option} 0s`).toMatch(
        new RegExp(`^error: ${option} 0s: must be (between|at least) `, "m"),
      );
    }
  });
});

describe("-f - reads the spec from stdin", () => {
  async function runWithStdin(stdin: string | Buffer, ...args: string[]) {
    const streams = captureStreams();
    const code = await runCli(args, { ...streams, stdin: Readable.from([stdin]) });
    return { code, stdout: streams.stdoutText(), stderr: streams.stderrText() };
  }

  it("validates a spec on stdin, named <stdin>", async () => {
    const { code, stdout } = await runWithStdin(specYaml(), "validate", "-f", "-");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^✓ <stdin>: service "web" is valid$/m);
  });

  it("reports problems at <stdin>:line:col", async () => {
    const { code, stderr } = await runWithStdin(
      specYaml({ spec: { task: { cpu: 3 } } }),
      "validate",
      "-f",
      "-",
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: <stdin>:\d+:\d+ spec\.task\.cpu: /m);
  });

  it("caps stdin at the spec file limit, and stops reading there", async () => {
    const { code, stderr } = await runWithStdin(Buffer.alloc(300 * 1024, "a"), "validate", "-f", "-");
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: <stdin>: holds more than 256 KiB; a spec file may be at most 256 KiB/m);
  });

  it("is refused by commands that do not read stdin, before AWS is touched", async () => {
    const { code, stderr } = await runWithStdin(specYaml(), "apply", "-f", "-");
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: <stdin>: this command does not read a spec from stdin \(-f -\)/m);
  });
});
