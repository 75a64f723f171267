/**
 * The emulator's core, independent of any one service's semantics: routing, malformed requests,
 * the control API, faults and concurrency. CloudWatch Logs serves as the guinea pig.
 */

import { request as httpRequest } from "node:http";
import {
  CloudWatchLogsServiceException,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  ResourceAlreadyExistsException,
} from "@aws-sdk/client-cloudwatch-logs";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "./server.ts";
import { clientsFor, startTestEmulator, type TestClients } from "./test-clients.ts";

let emulator: Emulator;
let clients: TestClients;

beforeEach(async () => {
  if (!emulator) ({ emulator, clients } = await startTestEmulator());
  emulator.reset();
  emulator.clearFaults();
});
afterAll(async () => {
  await emulator?.close();
});

const post = (body: string, headers: Record<string, string>) =>
  fetch(emulator.url, { method: "POST", body, headers: { ...headers } });
/** A JSON body, typed loosely: tests check its shape with expect. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by assertions, not by types
const json = async (response: Response): Promise<any> => response.json();
const logGroupNames = async () =>
  ((await clients.logs.send(new DescribeLogGroupsCommand({}))).logGroups ?? []).map(
    (group) => group.logGroupName,
  );

describe("malformed requests get AWS errors, never a crash", () => {
  it("invalid JSON → SerializationException", async () => {
    const response = await post("{nope", {
      "x-amz-target": "Logs_20140328.CreateLogGroup",
      "content-type": "application/x-amz-json-1.1",
    });
    expect(response.status).toBe(400);
    expect(await json(response)).toMatchObject({ __type: "SerializationException" });
  });

  it("a JSON array body → SerializationException", async () => {
    const response = await post("[]", { "x-amz-target": "Logs_20140328.DescribeLogGroups" });
    expect((await json(response)).__type).toBe("SerializationException");
  });

  it("an unknown JSON operation → UnknownOperationException", async () => {
    const response = await post("{}", { "x-amz-target": "Logs_20140328.Frobnicate" });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toBe("UnknownOperationException");
  });

  it("an unknown target prefix → UnknownOperationException", async () => {
    const response = await post("{}", { "x-amz-target": "Kinesis_20131202.ListStreams" });
    expect((await json(response)).__type).toBe("UnknownOperationException");
  });

  it("an unknown query action → InvalidAction in the service's XML error shape", async () => {
    const response = await post("Action=Frobnicate&Version=2015-12-01", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(
      /<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code>/,
    );
  });

  it("an unknown EC2 action → InvalidAction in EC2's error shape", async () => {
    const response = await post("Action=Frobnicate&Version=2016-11-15", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(await response.text()).toMatch(/^<Response><Errors><Error><Code>InvalidAction<\/Code>/);
  });

  it("a form without a known Version → UnknownOperationException", async () => {
    const response = await post("Action=DescribeThings&Version=1999-01-01", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(response.status).toBe(400);
  });

  it("prototype-polluting parameter names are refused", async () => {
    const response = await post("Action=DescribeLoadBalancers&Version=2015-12-01&__proto__.polluted=1", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(response.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("a missing required parameter is the service's validation error", async () => {
    const response = await post("{}", { "x-amz-target": "Logs_20140328.CreateLogGroup" });
    expect((await json(response)).__type).toBe("InvalidParameterException");
  });

  it("the region comes from the credential scope", async () => {
    await clientsFor(emulator, "ap-southeast-2").logs.send(
      new CreateLogGroupCommand({ logGroupName: "/sydney" }),
    );
    expect(await logGroupNames()).toEqual([]);
    expect([...emulator.world.regions.keys()]).toContain("ap-southeast-2");
  });
});

describe("the control API", () => {
  const control = (method: string, path: string, body?: unknown) =>
    fetch(`${emulator.url}/_emulator${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it("advances the clock", async () => {
    const before = emulator.world.time;
    const response = await control("POST", "/clock/advance", { ms: 90_000 });
    expect(response.status).toBe(200);
    expect(emulator.world.time).toBe(before + 90_000);
  });

  it("dumps state and counts calls per service and operation", async () => {
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: "/a" }));
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: "/b" }));
    await clients.logs.send(new DescribeLogGroupsCommand({}));
    const calls = await json(await control("GET", "/calls"));
    expect(calls.counts).toEqual({ "logs:CreateLogGroup": 2, "logs:DescribeLogGroups": 1 });
    expect(calls.calls[0]).toMatchObject({
      region: "us-east-1",
      service: "logs",
      action: "logs:CreateLogGroup",
    });
    const state = await json(await control("GET", "/state"));
    expect(Object.keys(state.regions["us-east-1"].logs.groups)).toEqual(["/a", "/b"]);
  });

  it("resets everything", async () => {
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: "/a" }));
    expect((await control("POST", "/reset")).status).toBe(200);
    expect(emulator.world.regions.size).toBe(0);
    expect(emulator.calls.calls()).toEqual([]);
  });

  it("answers unknown routes and bad bodies with 404 and 400", async () => {
    expect((await control("GET", "/nothing")).status).toBe(404);
    expect((await control("POST", "/clock/advance", { ms: "soon" })).status).toBe(400);
    const bad = await fetch(`${emulator.url}/_emulator/clock/advance`, { method: "POST", body: "{" });
    expect(bad.status).toBe(400);
  });

  it("sets and clears faults", async () => {
    expect((await control("PUT", "/faults", { rules: [{ service: "logs", throttleRate: 2 }] })).status).toBe(
      400,
    );
    expect(
      (await control("PUT", "/faults", { seed: 7, rules: [{ service: "logs", throttleRate: 1 }] })).status,
    ).toBe(200);
    await expect(clients.logs.send(new DescribeLogGroupsCommand({}))).rejects.toThrow();
    expect((await control("DELETE", "/faults")).status).toBe(200);
    await expect(clients.logs.send(new DescribeLogGroupsCommand({}))).resolves.toBeDefined();
  });
});

describe("faults", () => {
  it("a throttled call fails with the service's throttling code and changes nothing", async () => {
    emulator.injectFaults({ rules: [{ operation: "CreateLogGroup", throttleRate: 1 }] });
    const error = await clients.logs
      .send(new CreateLogGroupCommand({ logGroupName: "/x" }))
      .catch((caught: unknown) => caught);
    expect((error as CloudWatchLogsServiceException).name).toBe("ThrottlingException");
    emulator.clearFaults();
    expect(await logGroupNames()).toEqual([]);
    expect(emulator.calls.calls().at(-2)).toMatchObject({
      operation: "CreateLogGroup",
      error: "ThrottlingException",
    });
  });

  it("EC2 and ELBv2 throttle with their own codes", async () => {
    emulator.injectFaults({ rules: [{ throttleRate: 1 }] });
    const ec2 = await post("Action=DescribeVpcs&Version=2016-11-15", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(ec2.status).toBe(503);
    expect(await ec2.text()).toContain("<Code>RequestLimitExceeded</Code>");
    const elb = await post("Action=DescribeLoadBalancers&Version=2015-12-01", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(await elb.text()).toContain("<Code>Throttling</Code>");
  });

  it("the SDK's standard retries recover from intermittent throttling", async () => {
    emulator.injectFaults({ seed: 3, rules: [{ service: "logs", throttleRate: 0.5 }] });
    const retrying = clientsFor(emulator, "us-east-1", 10);
    for (let index = 0; index < 5; index++) {
      await retrying.logs.send(new CreateLogGroupCommand({ logGroupName: `/retry/${index}` }));
    }
    emulator.clearFaults();
    expect(await logGroupNames()).toEqual(["/retry/0", "/retry/1", "/retry/2", "/retry/3", "/retry/4"]);
    const throttled = emulator.calls.calls().filter((call) => call.error === "ThrottlingException");
    expect(throttled.length).toBeGreaterThan(0);
  });

  it("replays the same faults for the same seed", async () => {
    const outcomes = async () => {
      emulator.reset();
      emulator.injectFaults({ seed: 42, rules: [{ throttleRate: 0.5 }] });
      const results: boolean[] = [];
      for (let index = 0; index < 12; index++) {
        results.push(
          await clients.logs.send(new DescribeLogGroupsCommand({})).then(
            () => true,
            () => false,
          ),
        );
      }
      return results;
    };
    const first = await outcomes();
    expect(first).toContain(true);
    expect(first).toContain(false);
    expect(await outcomes()).toEqual(first);
  });

  it("server errors are 500 InternalFailure and change nothing", async () => {
    emulator.injectFaults({ rules: [{ errorRate: 1 }] });
    const error = (await clients.logs
      .send(new CreateLogGroupCommand({ logGroupName: "/x" }))
      .catch((caught: unknown) => caught)) as CloudWatchLogsServiceException;
    expect(error.$metadata.httpStatusCode).toBe(500);
    emulator.clearFaults();
    expect(await logGroupNames()).toEqual([]);
  });

  it("a dropped connection is a network error for the SDK", async () => {
    emulator.injectFaults({ rules: [{ dropRate: 1 }] });
    await expect(clients.logs.send(new DescribeLogGroupsCommand({}))).rejects.not.toBeInstanceOf(
      CloudWatchLogsServiceException,
    );
  });

  it("latency delays a call without failing it", async () => {
    emulator.injectFaults({ rules: [{ latencyMs: 50 }] });
    await expect(clients.logs.send(new DescribeLogGroupsCommand({}))).resolves.toBeDefined();
  });

  it("a token bucket throttles calls beyond its burst", async () => {
    emulator.injectFaults({
      rateLimits: [{ service: "logs", operation: "DescribeLogGroups", perSecond: 0, burst: 3 }],
    });
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        clients.logs.send(new DescribeLogGroupsCommand({})).then(
          () => "ok",
          (error: Error) => error.name,
        ),
      ),
    );
    expect(results.filter((result) => result === "ok")).toHaveLength(3);
    expect(results.filter((result) => result === "ThrottlingException")).toHaveLength(2);
  });
});

describe("concurrency", () => {
  it("parallel creates of distinct resources all land", async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        clients.logs.send(new CreateLogGroupCommand({ logGroupName: `/p/${index}` })),
      ),
    );
    expect(await logGroupNames()).toHaveLength(40);
  });

  it("parallel creates of the same resource: exactly one wins", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        clients.logs.send(new CreateLogGroupCommand({ logGroupName: "/same" })).then(
          () => "created",
          (error: unknown) => (error instanceof ResourceAlreadyExistsException ? "exists" : "other"),
        ),
      ),
    );
    expect(results.filter((result) => result === "created")).toHaveLength(1);
    expect(results.filter((result) => result === "exists")).toHaveLength(19);
  });
});

describe("only this machine's clients, never a web page, reach the emulator", () => {
  /** A request with exactly these headers (fetch will not let a test choose the Host). */
  function send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body = "",
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(`${emulator.url}${path}`, { method, headers }, (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
      });
      request.on("error", reject);
      request.end(body);
    });
  }
  const own = () => ({ host: `127.0.0.1:${emulator.port}` });

  it("refuses a control call from a foreign page, and the world is untouched", async () => {
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: "/kept" }));

    const reset = await send("POST", "/_emulator/reset", { ...own(), origin: "https://attacker.example" });
    const faults = await send(
      "PUT",
      "/_emulator/faults",
      { ...own(), origin: "null", "content-type": "application/json" },
      '{"rules":[{"rate":1,"error":"ThrottlingException"}]}',
    );

    expect(reset).toEqual({
      status: 403,
      body: expect.stringMatching(/^refused: requests from web pages[^\n]*\n$/),
    });
    expect(faults.status).toBe(403);
    expect(await logGroupNames()).toEqual(["/kept"]);
    expect((await json(await fetch(`${emulator.url}/_emulator/faults`))).rules).toEqual([]);
  });

  it("refuses a name rebound to loopback, on the control API and the AWS API alike", async () => {
    const rebound = { host: `attacker.example:${emulator.port}` };
    expect(await send("GET", "/_emulator/state", rebound)).toEqual({
      status: 403,
      body: expect.stringMatching(/^refused: Host "attacker\.example:\d+" is not this server[^\n]*\n$/),
    });
    const aws = await send(
      "POST",
      "/",
      {
        ...rebound,
        "x-amz-target": "Logs_20140328.CreateLogGroup",
        "content-type": "application/x-amz-json-1.1",
      },
      '{"logGroupName":"/rebound"}',
    );
    expect(aws.status).toBe(403);
    expect(await logGroupNames()).toEqual([]);
  });

  it("serves loopback by any name and a page served from loopback", async () => {
    for (const host of ["127.0.0.1", "localhost", "[::1]"]) {
      expect((await send("GET", "/_emulator/clock", { host: `${host}:${emulator.port}` })).status).toBe(200);
    }
    const local = await send("POST", "/_emulator/reset", { ...own(), origin: "http://localhost:3000" });
    expect(local.status).toBe(200);
  });
});
