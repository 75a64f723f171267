/**
 * What `npm start` shows a newcomer, end to end: the daemon with the built-in emulator running the
 * sample app's tasks as processes logs the URL its load balancer answers at once the service is ready;
 * answers there rotate across the tasks and say which one served them; a task process killed with
 * SIGKILL shows in the log as ECS stopping it (exit code 137) and starting a replacement.
 */
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  type DaemonProcess,
  killDaemons,
  type LogLine,
  startDaemonProcess,
} from "./support/daemon-process.ts";

const repository = fileURLToPath(new URL("../", import.meta.url));
const DEADLINE_MS = 60_000;

afterEach(async () => {
  await killDaemons();
});

async function answer(url: string): Promise<{ hostname: string; pid: number; version: string }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return (await response.json()) as { hostname: string; pid: number; version: string };
}

const after = (daemon: DaemonProcess, line: LogLine) => daemon.logs().slice(daemon.logs().indexOf(line) + 1);

describe("npm start's story", () => {
  it("logs the service's URL once ready, answers rotate across tasks, and a killed task is replaced in the log", {
    timeout: 120_000,
  }, async () => {
    const daemon = await startDaemonProcess(
      [
        "-f",
        `${repository}service.yaml`,
        "--emulator",
        "--emulator-speed",
        "30",
        "--images",
        `${repository}local-images.json`,
        // A free port: the test must not depend on 8080 being free.
        "--listener-ports",
        "80=0",
      ],
      {},
    );
    const ready = await daemon.waitForLog(
      "the service to be ready",
      (line) => line.msg.startsWith("service ready"),
      DEADLINE_MS,
    );
    const url = String(ready.url);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    const answers = [await answer(url), await answer(url), await answer(url), await answer(url)];
    expect(new Set(answers.map((body) => body.hostname)).size).toBe(2);
    expect(answers.every((body) => /^ip-127-\d+-\d+-\d+\.ec2\.internal$/.test(body.hostname))).toBe(true);
    expect(answers.every((body) => body.version === "1.0.0")).toBe(true);

    const victim = answers[0] as { pid: number; hostname: string };
    process.kill(victim.pid, "SIGKILL");
    const stopped = await daemon.waitForLog(
      "ECS to stop the killed task",
      (line) => line.msg === "ECS stops a task" && JSON.stringify(line.exitCodes) === '{"app":137}',
      DEADLINE_MS,
    );
    expect(stopped).toMatchObject({ service: "web", stopCode: "EssentialContainerExited", level: 40 });
    await daemon.waitForLog(
      "ECS to start a replacement",
      (line) =>
        line.msg === "ECS service event" &&
        /has started 1 tasks/.test(String(line.event)) &&
        after(daemon, stopped).includes(line),
      DEADLINE_MS,
    );
    const healed = await waitForAnswers(url, (bodies) => {
      const pids = new Set(bodies.map((body) => body.pid));
      return pids.size === 2 && !pids.has(victim.pid);
    });
    expect(healed.some((body) => body.hostname !== victim.hostname)).toBe(true);
    expect(await daemon.stop()).toBe(0);
  });
});

/** Asks until a round of answers satisfies `done` (a replacement turns healthy in its own time). */
async function waitForAnswers(
  url: string,
  done: (bodies: { hostname: string; pid: number }[]) => boolean,
): Promise<{ hostname: string; pid: number }[]> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const bodies = [];
    for (let index = 0; index < 6; index++) bodies.push(await answer(url));
    if (done(bodies)) return bodies;
    if (Date.now() > deadline) throw new Error(`timed out; last answers ${JSON.stringify(bodies)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
