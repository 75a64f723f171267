/**
 * `ecs-converge logs`: what the service's tasks wrote to CloudWatch Logs, read from the emulator (its
 * tasks write through their awslogs configuration), once or following until interrupted.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ListTasksCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logsCommand } from "../controller/cli/commands/logs.ts";
import { runCli } from "../controller/cli/program.ts";
import { captureStreams } from "../controller/cli/test-streams.ts";
import { merge, specYaml } from "../specs/test-builders.ts";
import { type EmulatedAws, startEmulatedAws } from "./support/emulated-aws.ts";
import { waitFor } from "./support/wait-for.ts";

const cli = fileURLToPath(new URL("../controller/cli/main.ts", import.meta.url));
let aws: EmulatedAws;
let directory: string;
let file: string;
let taskIds: string[];
const savedEnvironment = { ...process.env };
const environment = () => ({
  AWS_ENDPOINT_URL: aws.emulator.url,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "logs-test",
  AWS_SECRET_ACCESS_KEY: "logs-test",
  AWS_EC2_METADATA_DISABLED: "true",
});

beforeAll(async () => {
  aws = await startEmulatedAws();
  directory = await mkdtemp(join(tmpdir(), "ecs-converge-logs-"));
  process.env = { ...savedEnvironment, ...environment() };
  file = join(directory, "service.yaml");
  await writeFile(file, specYaml(merge({ metadata: { name: "web" } }, {})));
  expect((await run("apply", "-f", file, "--wait", "--poll-interval", "1s")).code).toBe(0);
  const { taskArns = [] } = await aws.operator.ecs.send(
    new ListTasksCommand({ cluster: "web", serviceName: "web" }),
  );
  taskIds = taskArns.map((arn) => arn.split("/").pop() ?? "");
});
afterAll(async () => {
  process.env = savedEnvironment;
  await aws?.close();
  await rm(directory, { recursive: true, force: true });
});

async function run(...args: string[]) {
  const streams = captureStreams();
  const code = await runCli(args, streams);
  return { code, stdout: streams.stdoutText(), stderr: streams.stderrText() };
}

/** A line as a task's container writes it, in its awslogs stream. */
async function writeLine(taskId: string, message: string) {
  await aws.operator.logs.send(
    new PutLogEventsCommand({
      logGroupName: "/ecs/web",
      logStreamName: `web/app/${taskId}`,
      logEvents: [{ timestamp: aws.emulator.world.time, message }],
    }),
  );
}

describe("ecs-converge logs", () => {
  it("prints what every task wrote, oldest first, with the task's id", async () => {
    const { code, stdout } = await run("logs", "-f", file, "--since", "1h");
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const id of taskIds) expect(stdout).toMatch(new RegExp(`\\S+Z ${id.slice(0, 8)} listening`));
    const times = lines.map((line) => line.split(" ")[0] ?? "");
    expect(times).toEqual([...times].sort());
  });

  it("prints JSON lines with --json, and nothing from before --since", async () => {
    await writeLine(taskIds[0] ?? "", 'GET / 200 {"ok":true}');
    const json = await run("logs", "-f", file, "--since", "1h", "--json");
    const events = json.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events).toContainEqual({
      service: "web",
      timestamp: expect.any(String),
      stream: `web/app/${taskIds[0]}`,
      task: taskIds[0],
      message: 'GET / 200 {"ok":true}',
    });
    // A line from two hours ago (by the wall clock --since counts from) is outside 1h and inside 3h.
    await aws.operator.logs.send(
      new PutLogEventsCommand({
        logGroupName: "/ecs/web",
        logStreamName: `web/app/${taskIds[0]}`,
        logEvents: [{ timestamp: Date.now() - 2 * 3_600_000, message: "an old line" }],
      }),
    );
    expect((await run("logs", "-f", file, "--since", "1h")).stdout).not.toContain("an old line");
    expect((await run("logs", "-f", file, "--since", "3h")).stdout).toContain("an old line");
  });

  it("follows: prints new lines as tasks write them, each once, until stopped", async () => {
    const streams = captureStreams();
    const stop = new AbortController();
    const following = logsCommand(
      { file, follow: true, since: "1h", pollInterval: "1s" },
      streams,
      stop.signal,
    );
    await waitFor("the existing lines", () =>
      streams.stdoutText().includes("listening") ? true : undefined,
    );
    await writeLine(taskIds[1] ?? "", "first new line");
    await waitFor("the new line", () => (streams.stdoutText().includes("first new line") ? true : undefined));
    await writeLine(taskIds[1] ?? "", "second new line");
    await waitFor("the next line", () =>
      streams.stdoutText().includes("second new line") ? true : undefined,
    );
    stop.abort();
    expect(await following).toBe(0);
    expect(streams.stdoutText().match(/first new line/g)).toHaveLength(1);
  });

  it("--follow ends cleanly on SIGINT, as a process", async () => {
    const child = spawn(process.execPath, [cli, "logs", "-f", file, "--follow", "--poll-interval", "1s"], {
      env: { ...process.env, ...environment() },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    await waitFor("the first lines", () => (output.includes("listening") ? true : undefined));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  });

  it("says when the log group does not exist, and how to create it", async () => {
    const other = join(directory, "other.yaml");
    await writeFile(other, specYaml(merge({ metadata: { name: "other" } }, {})));
    const { code, stderr } = await run("logs", "-f", other);
    expect(code).toBe(1);
    expect(stderr).toMatch(/other\.yaml: log group \/ecs\/other does not exist/);
    expect(stderr).toMatch(/ecs-converge apply -f .*other\.yaml` creates it/);
  });

  it("refuses a --poll-interval that would spin", async () => {
    const { code, stderr } = await run("logs", "-f", file, "--follow", "--poll-interval", "0s");
    expect(code).toBe(1);
    expect(stderr).toMatch(/--poll-interval/);
  });
});
