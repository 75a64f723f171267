import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CliError } from "../cli/cli-error.ts";
import { type Endpoints, parseListen, startEndpoints } from "./endpoints.ts";
import { DaemonMetrics } from "./metrics.ts";

const METRIC_NAMES = [
  "ecs_converge_reconciles_total",
  "ecs_converge_reconcile_duration_seconds",
  "ecs_converge_drift_total",
  "ecs_converge_aws_calls_total",
  "ecs_converge_aws_throttles_total",
  "ecs_converge_services",
];

let running: Endpoints | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

interface Fixture {
  endpoints: Endpoints;
  metrics: DaemonMetrics;
  setReady(ready: boolean): void;
  setStatus(status: unknown): void;
}

async function start(): Promise<Fixture> {
  const metrics = new DaemonMetrics();
  let ready = false;
  let status: unknown = { services: {} };
  running = await startEndpoints({
    host: "127.0.0.1",
    port: 0,
    metrics,
    status: () => status,
    ready: () => ready,
  });
  return {
    endpoints: running,
    metrics,
    setReady: (value) => {
      ready = value;
    },
    setStatus: (value) => {
      status = value;
    },
  };
}

/** Whether something accepts connections on the port. */
function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(true));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(false)));
  });
}

describe("startEndpoints", () => {
  it("answers /healthz with ok while the process lives", async () => {
    const { endpoints } = await start();

    const response = await fetch(`${endpoints.url}/healthz`);

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await response.text()).toBe("ok\n");
  });

  it("answers /readyz with 503 and a reason until ready, then 200", async () => {
    const { endpoints, setReady } = await start();

    const before = await fetch(`${endpoints.url}/readyz`);
    expect(before.status).toBe(503);
    expect(await before.text()).toMatch(/^not ready: /);

    setReady(true);
    const after = await fetch(`${endpoints.url}/readyz`);
    expect(after.status).toBe(200);
    expect(await after.text()).toBe("ready\n");

    setReady(false);
    expect((await fetch(`${endpoints.url}/readyz`)).status).toBe(503);
  });

  it("serves every metric in Prometheus text once one of each is recorded", async () => {
    const { endpoints, metrics } = await start();
    metrics.recordReconcile("web", "synced", 0.4);
    metrics.recordDrift("web", "service", "desiredCount");
    metrics.recordAwsCall("ecs", "DescribeServices");
    metrics.recordThrottle("ecs", "DescribeServices");
    metrics.setConditions([{ service: "web", conditions: [{ type: "Ready", status: "True" }] }]);

    const response = await fetch(`${endpoints.url}/metrics`);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(metrics.contentType);
    for (const name of METRIC_NAMES) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain(
      'ecs_converge_drift_total{service="web",resource="service",field="desiredCount"} 1',
    );
    expect(text).toContain("process_cpu_user_seconds_total");
  });

  it("serves /status as pretty JSON of what status() returns now", async () => {
    const { endpoints, setStatus } = await start();
    const status = { services: { web: { conditions: [{ type: "Ready", status: "True" }] } } };
    setStatus(status);

    const response = await fetch(`${endpoints.url}/status`);
    const body = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(JSON.parse(body)).toEqual(status);
    expect(body).toBe(`${JSON.stringify(status, null, 2)}\n`);
  });

  it("answers 500 when status() throws, and keeps serving", async () => {
    const metrics = new DaemonMetrics();
    running = await startEndpoints({
      host: "127.0.0.1",
      port: 0,
      metrics,
      status: () => {
        throw new Error("status bug");
      },
      ready: () => true,
    });

    expect((await fetch(`${running.url}/status`)).status).toBe(500);
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  });

  it("answers 404 for any other path, 405 for any other method", async () => {
    const { endpoints } = await start();

    for (const path of ["/", "/health", "/metrics/extra", "/status.json"])
      expect((await fetch(`${endpoints.url}${path}`)).status).toBe(404);
    // A query string does not change the path.
    expect((await fetch(`${endpoints.url}/healthz?verbose=1`)).status).toBe(200);

    for (const method of ["POST", "PUT", "DELETE"]) {
      const response = await fetch(`${endpoints.url}/status`, { method });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("GET");
    }
  });

  it("frees the port on close(), even with a connection kept alive", async () => {
    const { endpoints } = await start();
    // fetch keeps the connection open for reuse: close() must not wait for it.
    await (await fetch(`${endpoints.url}/healthz`)).text();
    expect(await accepting(endpoints.port)).toBe(true);

    await endpoints.close();
    await endpoints.close();

    expect(await accepting(endpoints.port)).toBe(false);
  });

  it("fails with a one-line CliError when the port is taken", async () => {
    const { endpoints } = await start();
    const options = { metrics: new DaemonMetrics(), status: () => ({}), ready: () => true };

    const attempt = startEndpoints({ host: "127.0.0.1", port: endpoints.port, ...options });

    await expect(attempt).rejects.toThrow(CliError);
    await expect(attempt).rejects.toThrow(`--listen 127.0.0.1:${endpoints.port}: cannot listen (EADDRINUSE)`);
  });

  it("gives a URL with brackets for an IPv6 host", async () => {
    const metrics = new DaemonMetrics();
    try {
      running = await startEndpoints({
        host: "::1",
        port: 0,
        metrics,
        status: () => ({}),
        ready: () => true,
      });
    } catch {
      return; // No IPv6 loopback on this machine.
    }

    expect(running.url).toBe(`http://[::1]:${running.port}`);
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  });
});

describe("parseListen", () => {
  it.each([
    ["127.0.0.1:9090", { host: "127.0.0.1", port: 9090 }],
    ["localhost:8080", { host: "localhost", port: 8080 }],
    ["0.0.0.0:80", { host: "0.0.0.0", port: 80 }],
    [":9090", { host: "0.0.0.0", port: 9090 }],
    ["9090", { host: "127.0.0.1", port: 9090 }],
    ["[::1]:9090", { host: "::1", port: 9090 }],
    ["[::]:9090", { host: "::", port: 9090 }],
    [" 127.0.0.1:0 ", { host: "127.0.0.1", port: 0 }],
  ])("reads %j", (text, expected) => {
    expect(parseListen(text)).toEqual(expected);
  });

  it.each([
    "abc",
    "",
    "127.0.0.1",
    "127.0.0.1:",
    "127.0.0.1:http",
    "::1:9090",
    "[::1]",
    "[nothost]:9090",
    "[127.0.0.1]:9090",
    "host name:9090",
    "127.0.0.1:90:90",
  ])("rejects %j", (text) => {
    expect(() => parseListen(text)).toThrow(
      new CliError(`--listen ${text}: expected host:port, e.g. 127.0.0.1:9090`),
    );
  });

  it("rejects a port out of range", () => {
    expect(() => parseListen("127.0.0.1:65536")).toThrow(
      "--listen 127.0.0.1:65536: the port must be between 0 and 65535",
    );
  });
});
