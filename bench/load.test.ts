import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { requireLoopback, runLoad } from "./load.ts";

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

describe("npm run load", () => {
  it.each([
    ["http://127.0.0.1:8080/", true, "loopback IPv4"],
    ["http://127.31.4.9:3000/health", true, "any 127.x address"],
    ["http://localhost:8080/", true, "localhost"],
    ["http://[::1]:8080/", true, "IPv6 loopback"],
    ["http://example.com/", false, "a name elsewhere"],
    ["http://10.0.0.5/", false, "a private address is still someone's server"],
    ["https://127.0.0.1/", false, "only plain http on loopback"],
  ])("%s → allowed %s (%s)", (url, allowed) => {
    if (allowed) expect(requireLoopback(url).toString()).toBe(new URL(url).toString());
    else expect(() => requireLoopback(url)).toThrow(/only generated against http:\/\/ on loopback/);
  });

  it("counts every answer by status and every 5xx as an error", async () => {
    let served = 0;
    server = createServer((_request, response) => {
      served += 1;
      response.writeHead(served % 4 === 0 ? 503 : 200).end("ok");
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const output: string[] = [];
    const out = new Writable({
      write(chunk, _encoding, done) {
        output.push(String(chunk));
        done();
      },
    });

    const summary = await runLoad({
      url: `http://127.0.0.1:${port}/`,
      durationMs: 1000,
      connections: 2,
      out,
    });

    expect(summary.requests).toBeGreaterThan(0);
    // Requests still in flight when the time is up are abandoned, not counted.
    expect(summary.requests).toBeLessThanOrEqual(served);
    expect(summary.requests).toBeGreaterThanOrEqual(served - 2);
    expect(summary.statuses["503"]).toBeGreaterThan(0);
    expect((summary.statuses["200"] ?? 0) + (summary.statuses["503"] ?? 0)).toBe(summary.requests);
    expect(summary.errors).toBe(summary.statuses["503"]);
    expect(output.join("")).toMatch(/\d+ requests, \d+ errors, p50 \d+ ms, p99 \d+ ms/);
  });
});
