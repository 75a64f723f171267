/** Requests through a served listener to real HTTP targets on loopback: balancing, failures, headers, bodies. */

import { Agent, request } from "node:http";
import {
  CreateRuleCommand,
  DeregisterTargetsCommand,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
  ModifyTargetGroupAttributesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useTargetAddress } from "./target-address.ts";
import {
  createLoopbackGroup,
  echo,
  failingTargets,
  healthStates,
  type LoopbackAlb,
  REGION,
  register,
  send,
  servedBy,
  serveListener,
  settleHealth,
  startLoopbackAlb,
  startProbing,
  startTarget,
  stopProbing,
  type TestTarget,
  waitFor,
} from "./test-support.ts";

let alb: LoopbackAlb;
let targets: TestTarget[];

beforeEach(async () => {
  startProbing();
  alb = await startLoopbackAlb();
  targets = [];
});

afterEach(async () => {
  await alb.emulator.close();
  await Promise.all(targets.map((target) => target.close()));
  stopProbing();
});

async function target(name: string, ip: string, handler?: Parameters<typeof startTarget>[2]) {
  const started = await startTarget(name, ip, handler);
  targets.push(started);
  return started;
}

async function sendMany(url: string, count: number, path = "/") {
  const served: string[] = [];
  for (let index = 0; index < count; index++) served.push(servedBy(await send(`${url}${path.slice(1)}`)));
  return served;
}

describe("balancing", () => {
  it("round-robins across the healthy targets", async () => {
    const group = await createLoopbackGroup(alb, "web");
    await register(alb, group, [await target("a", "127.40.9.1"), await target("b", "127.40.9.2")]);
    const { url } = await serveListener(alb, group);

    expect(healthStates(alb, group)).toEqual(["healthy", "healthy"]);
    const served = await sendMany(url, 6);
    expect(served.filter((name) => name === "a")).toHaveLength(3);
    expect(served.filter((name) => name === "b")).toHaveLength(3);
    // Strict alternation, as round robin over two targets.
    expect(served.every((name, index) => index === 0 || name !== served[index - 1])).toBe(true);
  });

  it("sends nothing to an unhealthy target while another is healthy", async () => {
    const group = await createLoopbackGroup(alb, "web");
    const sick = await target("sick", "127.40.9.1");
    failingTargets.add(`${sick.ip}:${sick.port}`);
    await register(alb, group, [sick, await target("well", "127.40.9.2")]);
    const { url } = await serveListener(alb, group);

    expect(healthStates(alb, group)).toEqual(["unhealthy", "healthy"]);
    expect(await sendMany(url, 4)).toEqual(["well", "well", "well", "well"]);
    expect(sick.received).toEqual([]);
  });

  it("fails open to every target when all are unhealthy", async () => {
    const group = await createLoopbackGroup(alb, "web");
    const both = [await target("a", "127.40.9.1"), await target("b", "127.40.9.2")];
    for (const each of both) failingTargets.add(`${each.ip}:${each.port}`);
    await register(alb, group, both);
    const { url } = await serveListener(alb, group);

    expect(healthStates(alb, group)).toEqual(["unhealthy", "unhealthy"]);
    expect(new Set(await sendMany(url, 4))).toEqual(new Set(["a", "b"]));
  });

  it("answers 503 when the group has no registered targets", async () => {
    const group = await createLoopbackGroup(alb, "web");
    const { url } = await serveListener(alb, group);

    const answer = await send(url);
    expect(answer.status).toBe(503);
    expect(answer.headers.server).toBe("awselb/2.0");
  });

  it("reuses connections to a target (keep-alive on both sides)", async () => {
    const group = await createLoopbackGroup(alb, "web");
    const only = await target("only", "127.40.9.1");
    await register(alb, group, [only]);
    const { url } = await serveListener(alb, group);
    const client = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let index = 0; index < 5; index++) expect((await send(url, { agent: client })).status).toBe(200);
    } finally {
      client.destroy();
    }
    expect(only.received).toHaveLength(5);
    expect(only.connections).toBe(1);
  });
});

describe("target addresses", () => {
  afterEach(() => useTargetAddress(undefined));

  it("connects where the installed resolver says a registered IP and port are served", async () => {
    const group = await createLoopbackGroup(alb, "web");
    const real = await target("remapped", "127.40.9.1");
    // Registered on the container port; really listening on another port of the same address.
    useTargetAddress((_region, ip, port) =>
      port === 3000 ? { host: ip, port: real.port } : { host: ip, port },
    );
    await register(alb, group, [{ ...real, port: 3000 }]);
    const { url } = await serveListener(alb, group);

    expect(servedBy(await send(url))).toBe("remapped");
  });
});

describe("rules and actions", () => {
  it("routes by path pattern to another group, the rest by the default action", async () => {
    const web = await createLoopbackGroup(alb, "web");
    const api = await createLoopbackGroup(alb, "api");
    await register(alb, web, [await target("web", "127.40.9.1")]);
    await register(alb, api, [await target("api", "127.40.9.2")]);
    const { listenerArn, url } = await serveListener(alb, web);
    await alb.clients.elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 10,
        Conditions: [{ Field: "path-pattern", Values: ["/api/*"] }],
        Actions: [{ Type: "forward", TargetGroupArn: api }],
      }),
    );
    settleHealth(alb);

    expect(servedBy(await send(`${url}api/orders?id=1`))).toBe("api");
    expect(servedBy(await send(`${url}apix`))).toBe("web");
    expect(servedBy(await send(url))).toBe("web");
  });

  it("routes by host header and answers fixed responses and redirects", async () => {
    const web = await createLoopbackGroup(alb, "web");
    await register(alb, web, [await target("web", "127.40.9.1")]);
    const { listenerArn, url } = await serveListener(alb, web);
    await alb.clients.elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 1,
        Conditions: [{ Field: "host-header", Values: ["*.example.com"] }],
        Actions: [
          {
            Type: "fixed-response",
            FixedResponseConfig: { StatusCode: "418", ContentType: "text/plain", MessageBody: "teapot" },
          },
        ],
      }),
    );
    await alb.clients.elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 2,
        Conditions: [{ Field: "path-pattern", Values: ["/old/*"] }],
        Actions: [{ Type: "redirect", RedirectConfig: { StatusCode: "HTTP_301", Path: "/new/#{path}" } }],
      }),
    );

    const fixed = await send(url, { headers: { host: "shop.EXAMPLE.com" } });
    expect([fixed.status, fixed.body]).toEqual([418, "teapot"]);
    const moved = await send(`${url}old/page?x=1`);
    expect(moved.status).toBe(301);
    expect(moved.headers.location).toBe(`${url}new/old/page?x=1`);
  });

  it("splits a weighted forward by weight; a group of weight 0 takes nothing", async () => {
    const blue = await createLoopbackGroup(alb, "blue");
    const green = await createLoopbackGroup(alb, "green");
    await register(alb, blue, [await target("blue", "127.40.9.1")]);
    const greenTarget = await target("green", "127.40.9.2");
    await register(alb, green, [greenTarget]);
    const { listenerArn, url } = await serveListener(alb, blue);
    const forward = (blueWeight: number, greenWeight: number) =>
      alb.clients.elbv2.send(
        new ModifyListenerCommand({
          ListenerArn: listenerArn,
          DefaultActions: [
            {
              Type: "forward",
              ForwardConfig: {
                TargetGroups: [
                  { TargetGroupArn: blue, Weight: blueWeight },
                  { TargetGroupArn: green, Weight: greenWeight },
                ],
              },
            },
          ],
        }),
      );
    await forward(1, 0);
    settleHealth(alb);
    expect(new Set(await sendMany(url, 6))).toEqual(new Set(["blue"]));
    expect(greenTarget.received).toEqual([]);

    await forward(2, 1);
    const served = await sendMany(url, 9);
    expect(served.filter((name) => name === "blue")).toHaveLength(6);
    expect(served.filter((name) => name === "green")).toHaveLength(3);
  });
});

describe("failures", () => {
  it("answers 502 when the target resets the connection", async () => {
    const group = await createLoopbackGroup(alb, "web");
    await register(alb, group, [await target("reset", "127.40.9.1", (req) => req.socket.destroy())]);
    const { url } = await serveListener(alb, group);

    expect((await send(url)).status).toBe(502);
  });

  it("answers 502 when the target answers something that is not HTTP", async () => {
    const group = await createLoopbackGroup(alb, "web");
    await register(alb, group, [
      await target("garbage", "127.40.9.1", (req) => req.socket.end("not http at all\r\n\r\n")),
    ]);
    const { url } = await serveListener(alb, group);

    expect((await send(url)).status).toBe(502);
  });

  it("answers 502 when nothing listens at the target's address", async () => {
    const group = await createLoopbackGroup(alb, "web");
    const gone = await target("gone", "127.40.9.1");
    await register(alb, group, [gone]);
    await gone.close();
    const { url } = await serveListener(alb, group);

    expect((await send(url)).status).toBe(502);
  });

  it("answers 504 when the target does not answer within the idle timeout", async () => {
    await alb.clients.elbv2.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: alb.loadBalancerArn,
        Attributes: [{ Key: "idle_timeout.timeout_seconds", Value: "1" }],
      }),
    );
    const group = await createLoopbackGroup(alb, "web");
    await register(alb, group, [await target("hang", "127.40.9.1", () => {})]);
    const { url } = await serveListener(alb, group);

    const answer = await send(url);
    expect(answer.status).toBe(504);
    expect(answer.body).toContain("504 Gateway Time-out");
  });
});

describe("what the target sees", () => {
  it("adds X-Forwarded-For (appended), -Proto and -Port, and keeps the Host header", async () => {
    const group = await createLoopbackGroup(alb, "web");
    await register(alb, group, [await target("a", "127.40.9.1")]);
    const { url } = await serveListener(alb, group);

    const answer = await send(url, {
      headers: { "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https", host: "shop.example.com" },
    });
    const { headers } = JSON.parse(answer.body) as { headers: Record<string, string> };
    expect(headers["x-forwarded-for"]).toBe("203.0.113.7, 127.0.0.1");
    expect(headers["x-forwarded-proto"]).toBe("http");
    expect(headers["x-forwarded-port"]).toBe("80");
    expect(headers.host).toBe("shop.example.com");
    expect(headers["x-amzn-trace-id"]).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it("refuses request headers over 64 KiB and keeps repeated response headers", async () => {
    const group = await createLoopbackGroup(alb, "web");
    const cookies = await target("cookies", "127.40.9.1", (req, res) => {
      req.resume();
      res.writeHead(200, [
        ["Set-Cookie", "a=1"],
        ["Set-Cookie", "b=2"],
      ]);
      res.end();
    });
    await register(alb, group, [cookies]);
    const { url } = await serveListener(alb, group);

    expect((await send(url, { headers: { "x-big": "x".repeat(70 * 1024) } })).status).toBe(431);
    expect(cookies.received).toEqual([]);
    expect((await send(url)).headers["set-cookie"]).toEqual(["a=1", "b=2"]);
  });

  it("streams the request and the response body without waiting for either to end", async () => {
    const group = await createLoopbackGroup(alb, "web");
    const chunksSeen: string[] = [];
    let answerNext: (() => void) | undefined;
    await register(alb, group, [
      await target("stream", "127.40.9.1", (req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        req.on("data", (chunk: Buffer) => {
          chunksSeen.push(chunk.toString());
          res.write(`got ${chunk.toString()};`);
        });
        answerNext = () => res.end("done");
      }),
    ]);
    const { url } = await serveListener(alb, group);

    const received: string[] = [];
    const outgoing = request(url, { method: "POST", agent: false });
    const answered = new Promise<import("node:http").IncomingMessage>((resolve) =>
      outgoing.on("response", resolve),
    );
    outgoing.write("one");
    const answer = await answered;
    answer.on("data", (chunk: Buffer) => received.push(chunk.toString()));
    // The target has the first chunk and the client its echo while both bodies are still open.
    await waitFor("the first chunk's echo", () =>
      received.join("").includes("got one;") ? true : undefined,
    );
    expect(chunksSeen).toEqual(["one"]);
    outgoing.write("two");
    await waitFor("the second chunk's echo", () =>
      received.join("").includes("got two;") ? true : undefined,
    );
    outgoing.end();
    await waitFor("the target to see the request end", () => answerNext);
    answerNext?.();
    await new Promise((resolve) => answer.on("end", resolve));
    expect(received.join("")).toBe("got one;got two;done");
  });
});

describe("draining", () => {
  it("lets a draining target finish its in-flight request while new ones go elsewhere", async () => {
    const group = await createLoopbackGroup(alb, "web");
    const releases = new Map<string, () => void>();
    const slowOrEcho =
      (name: string): Parameters<typeof startTarget>[2] =>
      (req, res, self) => {
        if (req.url !== "/slow") return echo(req, res, self);
        releases.set(name, () => res.end(`slow from ${name}`));
      };
    const a = await target("a", "127.40.9.1", slowOrEcho("a"));
    const b = await target("b", "127.40.9.2", slowOrEcho("b"));
    await register(alb, group, [a, b]);
    const { url } = await serveListener(alb, group);

    const slow = send(`${url}slow`);
    const [busyName] = await waitFor("the slow request to reach a target", () =>
      releases.size === 1 ? [...releases.keys()] : undefined,
    );
    const busy = busyName === "a" ? a : b;
    await alb.clients.elbv2.send(
      new DeregisterTargetsCommand({ TargetGroupArn: group, Targets: [{ Id: busy.ip, Port: busy.port }] }),
    );
    expect(alb.emulator.loadBalancers.inFlightTo(REGION, group, busy.ip, busy.port)).toBe(1);

    const others = await sendMany(url, 4);
    expect(new Set(others)).toEqual(new Set([busy === a ? "b" : "a"]));

    releases.get(busy.name)?.();
    const finished = await slow;
    expect([finished.status, finished.body]).toEqual([200, `slow from ${busy.name}`]);
  });

  it("cuts a draining target's in-flight request when its deregistration delay is over", async () => {
    const group = await createLoopbackGroup(alb, "web");
    await alb.clients.elbv2.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: group,
        Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "10" }],
      }),
    );
    let reached = false;
    const stuck = await target("stuck", "127.40.9.1", () => {
      reached = true;
    });
    await register(alb, group, [stuck]);
    const { url } = await serveListener(alb, group);

    const pending = send(url);
    await waitFor("the request to reach the target", () => (reached ? true : undefined));
    await alb.clients.elbv2.send(
      new DeregisterTargetsCommand({ TargetGroupArn: group, Targets: [{ Id: stuck.ip, Port: stuck.port }] }),
    );
    alb.emulator.advance(11_000);

    expect((await pending).status).toBe(502);
  });
});
