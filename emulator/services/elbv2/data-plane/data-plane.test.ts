/** Which listeners are served, where, and that nothing is left listening when they or the emulator go. */

import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { DeleteListenerCommand, DeleteLoadBalancerCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestEmulator } from "../../../test-clients.ts";
import { createAlb, createListener, createTargetGroup, defaultNetwork } from "../test-fixtures.ts";
import type { ServedListener } from "./data-plane.ts";
import {
  createLoopbackGroup,
  isListening,
  type LoopbackAlb,
  register,
  send,
  serveListener,
  startLoopbackAlb,
  startProbing,
  startTarget,
  stopProbing,
  type TestTarget,
  waitFor,
} from "./test-support.ts";

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const closers: Array<() => Promise<void>> = [];
beforeEach(() => startProbing());
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  stopProbing();
});

async function emulatorWithEvents(listenerPorts?: Record<number, number>) {
  const events: Array<{ message: string; listener: ServedListener }> = [];
  const { emulator, clients } = await startTestEmulator({
    listenerPorts,
    onListenerEvent: (message, listener) => events.push({ message, listener }),
  });
  closers.push(() => emulator.close());
  return { emulator, clients, events };
}

describe("which listeners are served", () => {
  it("serves a listener once its load balancer is active, and reports where", async () => {
    const { emulator, clients, events } = await emulatorWithEvents();
    const network = await defaultNetwork(clients);
    const alb = await createAlb(clients, network);
    const group = await createTargetGroup(clients, network, { TargetType: "ip" });
    await createListener(clients, alb.LoadBalancerArn, group.TargetGroupArn);
    await emulator.loadBalancers.settled();
    expect(emulator.loadBalancers.listeners()).toEqual([]);

    emulator.advance(emulator.world.timings.loadBalancerProvisioningMs);
    await emulator.loadBalancers.settled();
    const [served] = emulator.loadBalancers.listeners();
    expect(served).toMatchObject({ loadBalancer: "web", dnsName: alb.DNSName, port: 80 });
    expect(served?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(events.map((event) => event.message)).toEqual(["load balancer listener serving"]);
    expect(emulator.loadBalancers.urlOf(alb.DNSName ?? "", 80)).toBe(served?.url);

    const response = await fetch(`${emulator.url}/_emulator/elbv2/listeners?dnsName=${alb.DNSName}`);
    expect(await response.json()).toEqual({
      listeners: [
        {
          region: "us-east-1",
          loadBalancer: "web",
          dnsName: alb.DNSName,
          listenerArn: served?.listenerArn,
          port: 80,
          url: served?.url,
        },
      ],
    });
    // The served listener answers (503: its group has no targets).
    expect((await send(served?.url ?? "")).status).toBe(503);
  });

  it("serves listener port 80 on the local port it is mapped to, and another load balancer's on a free one", async () => {
    const local = await freePort();
    const { emulator, clients } = await emulatorWithEvents({ 80: local });
    const network = await defaultNetwork(clients);
    for (const name of ["web", "api"]) {
      const alb = await createAlb(clients, network, { Name: name });
      const group = await createTargetGroup(clients, network, { Name: `${name}-tg`, TargetType: "ip" });
      await createListener(clients, alb.LoadBalancerArn, group.TargetGroupArn);
    }
    emulator.advance(emulator.world.timings.loadBalancerProvisioningMs);
    await emulator.loadBalancers.settled();

    const urls = new Map(
      emulator.loadBalancers.listeners().map((listener) => [listener.loadBalancer, listener.url]),
    );
    expect(urls.get("web")).toBe(`http://127.0.0.1:${local}/`);
    expect(urls.get("api")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(urls.get("api")).not.toBe(urls.get("web"));
  });

  it("falls back to a free port, and says so, when the mapped port is taken", async () => {
    const occupier = createServer();
    await new Promise<void>((resolve) => occupier.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((resolve) => occupier.close(() => resolve())));
    const taken = (occupier.address() as AddressInfo).port;
    const { emulator, clients, events } = await emulatorWithEvents({ 80: taken });
    const network = await defaultNetwork(clients);
    const alb = await createAlb(clients, network);
    const group = await createTargetGroup(clients, network, { TargetType: "ip" });
    await createListener(clients, alb.LoadBalancerArn, group.TargetGroupArn);
    emulator.advance(emulator.world.timings.loadBalancerProvisioningMs);
    await emulator.loadBalancers.settled();

    const [served] = emulator.loadBalancers.listeners();
    expect(served?.url).not.toBe(`http://127.0.0.1:${taken}/`);
    expect(events.map((event) => event.message)).toEqual([
      `port ${taken} is in use: serving the listener on a free port instead`,
      "load balancer listener serving",
    ]);
  });
});

describe("nothing is left listening", () => {
  let alb: LoopbackAlb;
  let target: TestTarget;

  beforeEach(async () => {
    alb = await startLoopbackAlb();
    target = await startTarget("a", "127.40.9.1");
    closers.push(() => target.close());
    closers.push(() => alb.emulator.close());
  });

  it("stops serving a deleted listener", async () => {
    const group = await createLoopbackGroup(alb, "web");
    await register(alb, group, [target]);
    const { listenerArn, url } = await serveListener(alb, group);
    expect((await send(url)).status).toBe(200);

    await alb.clients.elbv2.send(new DeleteListenerCommand({ ListenerArn: listenerArn }));
    await alb.emulator.loadBalancers.settled();
    expect(alb.emulator.loadBalancers.listeners()).toEqual([]);
    expect(await isListening(url)).toBe(false);
  });

  it("stops serving the listeners of a deleted load balancer, and after a reset", async () => {
    const group = await createLoopbackGroup(alb, "web");
    const { url } = await serveListener(alb, group);
    await alb.clients.elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: alb.loadBalancerArn }));
    await alb.emulator.loadBalancers.settled();
    expect(await isListening(url)).toBe(false);

    const again = await startLoopbackAlb();
    closers.push(() => again.emulator.close());
    const { url: second } = await serveListener(again, await createLoopbackGroup(again, "web"));
    again.emulator.reset();
    await again.emulator.loadBalancers.settled();
    expect(await isListening(second)).toBe(false);
  });

  it("closes every server and connection, in-flight requests included, when the emulator closes", async () => {
    const hangs = await startTarget("hangs", "127.40.9.3", () => {});
    closers.push(() => hangs.close());
    const group = await createLoopbackGroup(alb, "web");
    await register(alb, group, [hangs]);
    const { url } = await serveListener(alb, group);
    const inFlight = send(url).catch((error: unknown) => error);
    await waitFor("a request in flight", () => (hangs.received.length > 0 ? true : undefined));

    await alb.emulator.close();
    expect(await isListening(url)).toBe(false);
    expect(alb.emulator.loadBalancers.listeners()).toEqual([]);
    // The client's connection was closed rather than left waiting.
    expect(await inFlight).toBeInstanceOf(Error);
  });
});
