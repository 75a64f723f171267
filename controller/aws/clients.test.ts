/**
 * Closing a set of clients ends its requests in flight: a call still waiting for its answer does not
 * keep the process (a stopping daemon) alive until it comes.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../test/support/wait-for.ts";
import { createAwsClients, destroyAwsClients } from "./clients.ts";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe("destroyAwsClients", () => {
  it("ends a call still waiting for its answer, and its connection", async () => {
    const open = new Set<IncomingMessage>();
    // An endpoint that never answers: a hung AWS call.
    server = createServer((request) => {
      open.add(request);
      request.socket.on("close", () => open.delete(request));
    });
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const clients = createAwsClients({ region: "us-east-1", endpoint: `http://127.0.0.1:${port}` });
    const call = clients.ecs.send(new DescribeServicesCommand({ cluster: "web", services: ["web"] }));
    const outcome = call.then(
      () => "answered",
      (error: Error) => error.name,
    );
    await waitFor("the call to reach the endpoint", () => (open.size > 0 ? true : undefined));
    destroyAwsClients(clients);
    expect(await outcome).toBe("AbortError");
    await waitFor("its connection to close", () => (open.size === 0 ? true : undefined));
  });
});
