import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startRequestStream } from "./request-stream.ts";
import { waitFor } from "./wait-for.ts";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
});

describe("startRequestStream", () => {
  it("records every answer and every failure until stopped, and refuses anything but loopback", async () => {
    let version = "v1";
    server = createServer((request, response) => {
      if (request.url === "/" && version === "broken") return response.socket?.destroy();
      response.writeHead(200).end(version);
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const stream = startRequestStream({ url: `http://127.0.0.1:${port}/`, concurrency: 2 });

    await waitFor("some answers", () => (stream.outcomes().length >= 20 ? true : undefined));
    version = "broken";
    await waitFor("a failure", () => (stream.failures().length > 0 ? true : undefined));
    version = "v2";
    const failuresSoFar = stream.failures().length;
    await waitFor("the new version", () =>
      stream.outcomes().some((outcome) => "body" in outcome && outcome.body === "v2") ? true : undefined,
    );
    const all = await stream.stop();

    expect(all.filter((o) => "body" in o && o.body === "v1").length).toBeGreaterThanOrEqual(20);
    expect(stream.failures().length).toBeGreaterThanOrEqual(failuresSoFar);
    expect(stream.failures().every((o) => "error" in o)).toBe(true);
    expect(() => startRequestStream({ url: "http://example.com/" })).toThrow(/loopback only/);
  });

  it("paced, sends at most one request per loop for each step of its clock", async () => {
    server = createServer((_request, response) => response.writeHead(200).end("ok"));
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    let now = 0;
    const stream = startRequestStream({
      url: `http://127.0.0.1:${port}/`,
      concurrency: 3,
      pace: { everyMs: 100, clock: () => now },
    });
    await waitFor("one answer per loop", () => (stream.outcomes().length === 3 ? true : undefined));
    now = 100;
    await waitFor("one more per loop", () => (stream.outcomes().length === 6 ? true : undefined));
    const all = await stream.stop();
    expect(all).toHaveLength(6);
  });
});
