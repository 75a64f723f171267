// End-to-end tests: run server.ts as a real child process and talk to it over HTTP, as ECS and the ALB would.
import { type ChildProcess, spawn } from "node:child_process";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { killChildren } from "../test/support/kill-children.ts";
import { waitFor } from "../test/support/wait-for.ts";

const SERVER = fileURLToPath(new URL("./server.ts", import.meta.url));

type LogLine = Record<string, unknown> & { time: string; level: string; msg: string };

type Running = {
  child: ChildProcess;
  base: string;
  port: number;
  stdout: string[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  logs: () => LogLine[];
  waitForLog: (msg: string) => Promise<LogLine>;
};

const children = new Set<ChildProcess>();

afterEach(() => killChildren(children));

/** Spawns server.ts with a minimal environment so nothing from the test runner's environment leaks in. */
function spawnServer(env: Record<string, string>) {
  const child = spawn(process.execPath, [SERVER], {
    env: { PORT: "0", HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  const stdout: string[] = [];
  let pending = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (pending + chunk).split("\n");
    pending = parts.pop() ?? "";
    stdout.push(...parts);
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout, stderr: () => stderr, exited };
}

async function startServer(env: Record<string, string> = {}): Promise<Running> {
  const spawned = spawnServer(env);
  let exited = false;
  void spawned.exited.then(() => {
    exited = true;
  });
  const first = await waitFor("the first log line", () => {
    if (exited && spawned.stdout.length === 0) {
      throw new Error(`server exited before logging; stderr: ${spawned.stderr()}`);
    }
    return spawned.stdout[0];
  });
  const listening = JSON.parse(first) as LogLine;
  expect(listening.msg).toBe("listening");
  const port = listening.port as number;
  const logs = () => spawned.stdout.map((line) => JSON.parse(line) as LogLine);
  return {
    ...spawned,
    port,
    base: `http://127.0.0.1:${port}`,
    logs,
    waitForLog: (msg) => waitFor(`log "${msg}"`, () => logs().find((line) => line.msg === msg)),
  };
}

async function getJson(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const res = await fetch(url, init);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  return { status: res.status, headers: res.headers, body: await res.json() };
}

describe("sample-app server process", () => {
  it("logs the port it actually bound as JSON on its first stdout line", async () => {
    const server = await startServer();
    const first = JSON.parse(server.stdout[0] ?? "") as LogLine;
    expect(first).toMatchObject({ level: "info", msg: "listening", host: "127.0.0.1" });
    expect(first.port).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(first.time))).toBe(false);
  });

  it("GET / reports hostname, version, uptime and pid", async () => {
    const server = await startServer({ APP_VERSION: "1.2.3-test" });
    const { status, body } = await getJson(`${server.base}/`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      service: "ecs-converge-sample-app",
      hostname: hostname(),
      version: "1.2.3-test",
      pid: server.child.pid,
      state: "ready",
    });
    expect((body as { uptimeSeconds: number }).uptimeSeconds).toBeGreaterThanOrEqual(0);
  });

  it("GET / names the host from HOSTNAME, as a container runtime sets it per task", async () => {
    const server = await startServer({ HOSTNAME: "ip-127-31-0-7.ec2.internal" });
    const { body } = await getJson(`${server.base}/`);
    expect(body).toMatchObject({ hostname: "ip-127-31-0-7.ec2.internal" });
  });

  it("defaults the version to dev", async () => {
    const server = await startServer();
    const { body } = await getJson(`${server.base}/`);
    expect(body).toMatchObject({ version: "dev" });
  });

  it("answers /health with 200 right away when there is no startup delay", async () => {
    const server = await startServer();
    expect(await getJson(`${server.base}/health`)).toMatchObject({ status: 200, body: { status: "ok" } });
  });

  it("answers /health with 503 during STARTUP_DELAY_MS, then 200", async () => {
    const server = await startServer({ STARTUP_DELAY_MS: "2000" });
    expect(await getJson(`${server.base}/health`)).toMatchObject({
      status: 503,
      body: { status: "starting" },
    });
    const ready = await waitFor("/health to turn 200", async () => {
      const res = await getJson(`${server.base}/health`);
      return res.status === 200 ? res : undefined;
    });
    expect(ready.body).toEqual({ status: "ok" });
    await server.waitForLog("ready");
  });

  it("burns CPU for the requested time and clamps huge requests to BURN_MAX_MS", async () => {
    const server = await startServer({ BURN_MAX_MS: "300" });

    const small = await getJson(`${server.base}/burn?ms=50`);
    expect(small).toMatchObject({
      status: 200,
      body: { requestedMs: 50, ms: 50, clamped: false, maxMs: 300 },
    });
    expect((small.body as { burnedMs: number }).burnedMs).toBeGreaterThanOrEqual(50);

    const huge = await getJson(`${server.base}/burn?ms=999999999`);
    expect(huge).toMatchObject({ status: 200, body: { requestedMs: 999_999_999, ms: 300, clamped: true } });
    expect((huge.body as { burnedMs: number }).burnedMs).toBeGreaterThanOrEqual(300);

    expect((await getJson(`${server.base}/burn?ms=abc`)).status).toBe(400);
  });

  it("answers unknown paths with 404 and other methods with 405, both as JSON", async () => {
    const server = await startServer();
    expect(await getJson(`${server.base}/nope`)).toMatchObject({ status: 404, body: { error: "not found" } });
    const post = await getJson(`${server.base}/`, { method: "POST", body: "x" });
    expect(post).toMatchObject({ status: 405, body: { error: "method not allowed", method: "POST" } });
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    expect((await getJson(`${server.base}/health`, { method: "DELETE" })).status).toBe(405);
  });

  it("on SIGTERM finishes the in-flight request, then exits 0", async () => {
    const server = await startServer();
    const inFlight = fetch(`${server.base}/burn?ms=2000`);
    await server.waitForLog("burn started");
    server.child.kill("SIGTERM");

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ms: 2000 });
    expect(await server.exited).toEqual({ code: 0, signal: null });

    // The request was still running when shutdown began, and shutdown only completed after it.
    const order = server.logs().map((line) => (line.msg === "request" ? `request ${line.path}` : line.msg));
    expect(order.slice(-3)).toEqual(["shutdown started", "request /burn", "shutdown complete"]);
  });

  it("shuts down gracefully on SIGINT too", async () => {
    const server = await startServer();
    server.child.kill("SIGINT");
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect((await server.waitForLog("shutdown started")).signal).toBe("SIGINT");
  });

  it("answers /health with 503 during SHUTDOWN_DRAIN_MS, then exits 0", async () => {
    const server = await startServer({ SHUTDOWN_DRAIN_MS: "2000" });
    server.child.kill("SIGTERM");
    await server.waitForLog("shutdown started");
    const health = await getJson(`${server.base}/health`);
    expect(health).toMatchObject({ status: 503, body: { status: "draining" } });
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it("exits 1 when in-flight requests outlast SHUTDOWN_TIMEOUT_MS", async () => {
    const server = await startServer({ SHUTDOWN_TIMEOUT_MS: "300" });
    const inFlight = fetch(`${server.base}/burn?ms=4000`).then(
      () => "answered",
      () => "cut off",
    );
    await server.waitForLog("burn started");
    server.child.kill("SIGTERM");
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(await inFlight).toBe("cut off");
    expect(server.logs().at(-1)).toMatchObject({
      level: "error",
      msg: "shutdown timed out, dropped in-flight requests",
    });
  });

  it("writes only JSON lines with time, level and msg to stdout, including one per request", async () => {
    const server = await startServer();
    await fetch(`${server.base}/`);
    await fetch(`${server.base}/nope`);
    server.child.kill("SIGTERM");
    await server.exited;

    const lines = server.stdout.filter((line) => line !== "");
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) {
      const parsed = JSON.parse(line) as LogLine;
      expect(parsed).toEqual(
        expect.objectContaining({
          time: expect.any(String),
          level: expect.any(String),
          msg: expect.any(String),
        }),
      );
    }
    const requests = server.logs().filter((line) => line.msg === "request");
    expect(requests).toEqual([
      expect.objectContaining({ method: "GET", path: "/", status: 200, durationMs: expect.any(Number) }),
      expect.objectContaining({ method: "GET", path: "/nope", status: 404, durationMs: expect.any(Number) }),
    ]);
  });

  it("refuses to start with an invalid setting, logging why as JSON", async () => {
    const spawned = spawnServer({ PORT: "eighty" });
    expect(await spawned.exited).toEqual({ code: 1, signal: null });
    expect(JSON.parse(spawned.stdout[0] ?? "")).toMatchObject({
      level: "error",
      msg: "invalid configuration",
      error: { message: expect.stringContaining("PORT") },
    });
  });
});
