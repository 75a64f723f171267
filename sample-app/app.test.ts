// In-process tests of createApp, configFromEnv and the JSON logger.
import { hostname } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../test/support/wait-for.ts";
import { type App, type AppConfig, createApp } from "./app.ts";
import { configFromEnv, DEFAULT_BURN_MAX_MS } from "./config.ts";
import { createJsonLogger, type Logger } from "./log.ts";

const baseConfig: AppConfig = {
  host: "127.0.0.1",
  port: 0,
  version: "test",
  startupDelayMs: 0,
  shutdownDrainMs: 0,
  shutdownTimeoutMs: 10_000,
  burnMaxMs: 5_000,
  hostname: "test-host",
};

type Captured = { level: string; msg: string; fields: Record<string, unknown> };

const apps: App[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function startApp(overrides: Partial<AppConfig> = {}) {
  const logs: Captured[] = [];
  const log: Logger = (level, msg, fields = {}) => logs.push({ level, msg, fields });
  const app = createApp({ ...baseConfig, ...overrides }, log);
  apps.push(app);
  const { port } = await app.listen();
  return { app, logs, base: `http://127.0.0.1:${port}` };
}

describe("configFromEnv", () => {
  it("has documented defaults", () => {
    expect(configFromEnv({})).toEqual({
      host: "0.0.0.0",
      port: 3000,
      version: "dev",
      startupDelayMs: 0,
      shutdownDrainMs: 0,
      shutdownTimeoutMs: 10_000,
      burnMaxMs: DEFAULT_BURN_MAX_MS,
      hostname: hostname(),
    });
    expect(DEFAULT_BURN_MAX_MS).toBe(5000);
  });

  it("reads every variable and treats empty ones as unset", () => {
    const env = {
      HOST: "127.0.0.1",
      PORT: "8080",
      APP_VERSION: "v7",
      STARTUP_DELAY_MS: "1500",
      SHUTDOWN_DRAIN_MS: "200",
      SHUTDOWN_TIMEOUT_MS: "3000",
      BURN_MAX_MS: "250",
      HOSTNAME: "ip-10-0-1-23.ec2.internal",
    };
    expect(configFromEnv(env)).toEqual({
      host: "127.0.0.1",
      port: 8080,
      version: "v7",
      startupDelayMs: 1500,
      shutdownDrainMs: 200,
      shutdownTimeoutMs: 3000,
      burnMaxMs: 250,
      hostname: "ip-10-0-1-23.ec2.internal",
    });
    expect(configFromEnv({ PORT: "", APP_VERSION: " " })).toMatchObject({ port: 3000, version: "dev" });
  });

  it.each([
    ["PORT", "eighty"],
    ["PORT", "80abc"],
    ["PORT", "70000"],
    ["PORT", "-1"],
    ["STARTUP_DELAY_MS", "1.5"],
    ["SHUTDOWN_TIMEOUT_MS", "0"],
    ["BURN_MAX_MS", "0"],
    ["SHUTDOWN_DRAIN_MS", "99999999999"],
  ])("rejects %s=%s", (name, value) => {
    expect(() => configFromEnv({ [name]: value })).toThrow(name);
  });
});

describe("createJsonLogger", () => {
  it("writes one JSON object per line, keeping error messages", () => {
    const written: string[] = [];
    const log = createJsonLogger((line) => written.push(line));
    log("error", "boom", { error: new Error("disk full"), n: 1 });
    expect(written).toHaveLength(1);
    expect(written[0]?.endsWith("\n")).toBe(true);
    expect(JSON.parse(written[0] ?? "")).toEqual({
      time: expect.any(String),
      level: "error",
      msg: "boom",
      error: { name: "Error", message: "disk full" },
      n: 1,
    });
  });
});

describe("createApp", () => {
  it("reports the bound port and becomes ready at once without a startup delay", async () => {
    const { app, logs } = await startApp();
    expect(app.state()).toBe("ready");
    expect(logs.map((line) => line.msg)).toEqual(["listening", "ready"]);
    expect(logs[0]?.fields.port).toBeGreaterThan(0);
  });

  it("stays starting until the startup delay has passed", async () => {
    const { app, base } = await startApp({ startupDelayMs: 300 });
    // Only the state is checked here; server.test.ts checks the 503 over HTTP with a longer delay.
    expect(app.state()).toBe("starting");
    await waitFor("ready", () => app.state() === "ready" || undefined);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it("answers HEAD /health without a body and routes paths regardless of the query string", async () => {
    const { base } = await startApp();
    const head = await fetch(`${base}/health`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    expect((await fetch(`${base}/health?probe=alb`)).status).toBe(200);
  });

  it("does not route inherited object properties", async () => {
    const { base } = await startApp();
    expect((await fetch(`${base}/constructor`)).status).toBe(404);
    expect((await fetch(`${base}//health`)).status).toBe(404);
  });

  it("burns a default amount without ?ms and rejects malformed values", async () => {
    const { base } = await startApp();
    expect(await (await fetch(`${base}/burn`)).json()).toMatchObject({ requestedMs: 100, ms: 100 });
    for (const bad of ["-5", "1.5", "", "1e3"]) {
      expect((await fetch(`${base}/burn?ms=${bad}`)).status, `ms=${bad}`).toBe(400);
    }
  });

  it("logs each request with method, path, status and duration", async () => {
    const { base, logs } = await startApp();
    await (await fetch(`${base}/nope?x=1`)).text();
    await waitFor("request log", () => logs.find((line) => line.msg === "request"));
    expect(logs.find((line) => line.msg === "request")?.fields).toEqual({
      method: "GET",
      path: "/nope",
      status: 404,
      durationMs: expect.any(Number),
    });
  });

  it("close() lets an in-flight request finish, tells its client to disconnect, and resolves unforced", async () => {
    const { app, base, logs } = await startApp();
    const inFlight = fetch(`${base}/burn?ms=500`);
    await waitFor("burn to start", () => logs.find((line) => line.msg === "burn started"));

    const closed = app.close();
    expect(app.close()).toBe(closed);
    expect(app.state()).toBe("draining");

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.headers.get("connection")).toBe("close");
    await res.json();
    expect(await closed).toEqual({ forced: false });
  });

  it("keeps accepting during the drain window, answering /health with 503, then stops listening", async () => {
    const { app, base } = await startApp({ shutdownDrainMs: 1500 });
    const closed = app.close();
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: "draining" });
    expect(await closed).toEqual({ forced: false });
    expect(app.server.listening).toBe(false);
  });

  it("close() cuts off requests that outlast shutdownTimeoutMs", async () => {
    const { app, base, logs } = await startApp({ shutdownTimeoutMs: 200 });
    const inFlight = fetch(`${base}/burn?ms=5000`).then(
      () => "answered",
      () => "cut off",
    );
    await waitFor("burn to start", () => logs.find((line) => line.msg === "burn started"));
    expect(await app.close()).toEqual({ forced: true });
    expect(await inFlight).toBe("cut off");
  });
});
