import { request as httpRequest, type IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { type Endpoints, startEndpoints } from "./endpoints.ts";
import { foreignRequestReason } from "./request-origin.ts";

/** A GET with exactly these headers (fetch will not let a test choose the Host). */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
    request.end();
  });
}

const headersOnly = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe("foreignRequestReason", () => {
  it.each([
    ["loopback by address", "127.0.0.1", { host: "127.0.0.1:9090" }],
    ["loopback by name", "127.0.0.1", { host: "localhost:9090" }],
    ["IPv6 loopback", "127.0.0.1", { host: "[::1]:9090" }],
    ["no port", "127.0.0.1", { host: "localhost" }],
    ["the address bound to", "10.0.0.5", { host: "10.0.0.5:9090" }],
    ["any address when bound to every interface (a kubelet probe)", "0.0.0.0", { host: "10.1.2.3:9090" }],
    ["a page served from loopback", "127.0.0.1", { host: "127.0.0.1:9090", origin: "http://localhost:3000" }],
    ["no Host at all (HTTP/1.0; no browser does this)", "127.0.0.1", {}],
  ])("accepts %s", (_reason, bound, headers) => {
    expect(foreignRequestReason(headersOnly(headers), bound)).toBeUndefined();
  });

  it.each([
    ["a rebound name", "127.0.0.1", { host: "attacker.example:9090" }],
    ["a name when bound to every interface", "0.0.0.0", { host: "attacker.example:9090" }],
    ["another address", "127.0.0.1", { host: "10.0.0.5:9090" }],
    ["a foreign page", "127.0.0.1", { host: "127.0.0.1:9090", origin: "https://attacker.example" }],
    ["a sandboxed page", "127.0.0.1", { host: "127.0.0.1:9090", origin: "null" }],
  ])("refuses %s", (_reason, bound, headers) => {
    expect(foreignRequestReason(headersOnly(headers), bound)).toMatch(/^refused: [^\n]+$/);
  });
});

describe("the daemon's endpoints", () => {
  let endpoints: Endpoints | undefined;
  afterEach(async () => {
    await endpoints?.close();
  });

  it("answer 403 to a foreign Host or Origin, and serve loopback", async () => {
    endpoints = await startEndpoints({
      host: "127.0.0.1",
      port: 0,
      metrics: { text: async () => "", contentType: "text/plain" },
      status: () => ({ services: [] }),
      ready: () => true,
    });
    const status = `${endpoints.url}/status`;

    const rebound = await get(status, { host: `attacker.example:${endpoints.port}` });
    expect(rebound).toEqual({ status: 403, body: expect.stringMatching(/^refused: Host .*\n$/) });
    const crossOrigin = await get(status, {
      host: `127.0.0.1:${endpoints.port}`,
      origin: "https://attacker.example",
    });
    expect(crossOrigin.status).toBe(403);
    expect(crossOrigin.body).toMatch(/^refused: requests from web pages/);

    expect((await get(status, { host: `localhost:${endpoints.port}` })).status).toBe(200);
    expect((await get(`${endpoints.url}/healthz`, { host: `[::1]:${endpoints.port}` })).status).toBe(200);
  });
});
