import {
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  ListTagsForResourceCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../../server.ts";
import { startTestEmulator, type TestClients } from "../../test-clients.ts";
import { appendLogEvents } from "./operations.ts";

let emulator: Emulator;
let clients: TestClients;

beforeEach(async () => {
  if (!emulator) ({ emulator, clients } = await startTestEmulator());
  emulator.reset();
});
afterAll(async () => {
  await emulator?.close();
});

describe("CloudWatch Logs", () => {
  it("creates a log group with tags, and a duplicate is ResourceAlreadyExistsException", async () => {
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/web", tags: { team: "a" } }));
    await expect(
      clients.logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/web" })),
    ).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    const { logGroups } = await clients.logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ecs/web" }),
    );
    expect(logGroups?.map((group) => group.logGroupName)).toEqual(["/ecs/web"]);
    expect(logGroups?.[0]?.retentionInDays).toBeUndefined();
    expect(logGroups?.[0]?.creationTime).toEqual(expect.any(Number));
    const arn = logGroups?.[0]?.logGroupArn ?? "";
    expect(arn).toBe("arn:aws:logs:us-east-1:000000000000:log-group:/ecs/web");
    expect((await clients.logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({
      team: "a",
    });
  });

  it("matches DescribeLogGroups by prefix, so /ecs/web also finds /ecs/web-2", async () => {
    for (const name of ["/ecs/web", "/ecs/web-2", "/other"]) {
      await clients.logs.send(new CreateLogGroupCommand({ logGroupName: name }));
    }
    const { logGroups } = await clients.logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ecs/web" }),
    );
    expect(logGroups?.map((group) => group.logGroupName)).toEqual(["/ecs/web", "/ecs/web-2"]);
  });

  it("describes exactly the groups named by logGroupIdentifiers (names or ARNs), alone among filters", async () => {
    for (const name of ["/ecs/a", "/ecs/b", "/ecs/c"])
      await clients.logs.send(new CreateLogGroupCommand({ logGroupName: name }));
    const { logGroups = [] } = await clients.logs.send(
      new DescribeLogGroupsCommand({
        logGroupIdentifiers: [
          "/ecs/a",
          "arn:aws:logs:us-east-1:000000000000:log-group:/ecs/c:*",
          "/ecs/missing",
        ],
      }),
    );
    expect(logGroups.map((group) => group.logGroupName)).toEqual(["/ecs/a", "/ecs/c"]);
    await expect(
      clients.logs.send(
        new DescribeLogGroupsCommand({ logGroupIdentifiers: ["/ecs/a"], logGroupNamePrefix: "/ecs" }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      clients.logs.send(
        new DescribeLogGroupsCommand({
          logGroupIdentifiers: Array.from({ length: 51 }, (_, index) => `/ecs/${index}`),
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("pages DescribeLogGroups with nextToken", async () => {
    for (let index = 0; index < 5; index++)
      await clients.logs.send(new CreateLogGroupCommand({ logGroupName: `/g/${index}` }));
    const first = await clients.logs.send(new DescribeLogGroupsCommand({ limit: 3 }));
    expect(first.logGroups).toHaveLength(3);
    const second = await clients.logs.send(
      new DescribeLogGroupsCommand({ limit: 3, nextToken: first.nextToken }),
    );
    expect(second.logGroups?.map((group) => group.logGroupName)).toEqual(["/g/3", "/g/4"]);
    expect(second.nextToken).toBeUndefined();
  });

  it("sets and removes retention, refusing values CloudWatch does not offer", async () => {
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/web" }));
    await clients.logs.send(new PutRetentionPolicyCommand({ logGroupName: "/ecs/web", retentionInDays: 30 }));
    await expect(
      clients.logs.send(new PutRetentionPolicyCommand({ logGroupName: "/ecs/web", retentionInDays: 8 })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    let { logGroups } = await clients.logs.send(new DescribeLogGroupsCommand({}));
    expect(logGroups?.[0]?.retentionInDays).toBe(30);
    await clients.logs.send(new DeleteRetentionPolicyCommand({ logGroupName: "/ecs/web" }));
    ({ logGroups } = await clients.logs.send(new DescribeLogGroupsCommand({})));
    expect(logGroups?.[0]?.retentionInDays).toBeUndefined();
  });

  it("tags and untags by ARN, with or without the :* suffix", async () => {
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/web" }));
    const arn = "arn:aws:logs:us-east-1:000000000000:log-group:/ecs/web";
    await clients.logs.send(new TagResourceCommand({ resourceArn: arn, tags: { a: "1", b: "2" } }));
    await clients.logs.send(new UntagResourceCommand({ resourceArn: `${arn}:*`, tagKeys: ["a"] }));
    expect((await clients.logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({
      b: "2",
    });
  });

  it("deletes a log group; deleting a missing one is ResourceNotFoundException", async () => {
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/web" }));
    await clients.logs.send(new DeleteLogGroupCommand({ logGroupName: "/ecs/web" }));
    expect((await clients.logs.send(new DescribeLogGroupsCommand({}))).logGroups).toEqual([]);
    await expect(
      clients.logs.send(new DeleteLogGroupCommand({ logGroupName: "/ecs/web" })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("serves what tasks wrote through GetLogEvents and FilterLogEvents", async () => {
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/web" }));
    const region = emulator.world.region("us-east-1");
    appendLogEvents(
      region.logs,
      "/ecs/web",
      "app/app/task1",
      ["listening", "GET /health 200"],
      emulator.world.time,
    );
    const { events } = await clients.logs.send(
      new GetLogEventsCommand({ logGroupName: "/ecs/web", logStreamName: "app/app/task1" }),
    );
    expect(events?.map((event) => event.message)).toEqual(["listening", "GET /health 200"]);
    const filtered = await clients.logs.send(
      new FilterLogEventsCommand({ logGroupName: "/ecs/web", filterPattern: "health" }),
    );
    expect(filtered.events?.map((event) => [event.logStreamName, event.message])).toEqual([
      ["app/app/task1", "GET /health 200"],
    ]);
  });

  it("filters by stream name prefix and time, oldest first; a prefix with stream names is refused", async () => {
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/web" }));
    const logs = emulator.world.region("us-east-1").logs;
    const start = emulator.world.time;
    appendLogEvents(logs, "/ecs/web", "web/app/task2", ["second task"], start + 2000);
    appendLogEvents(logs, "/ecs/web", "web/app/task1", ["early"], start);
    appendLogEvents(logs, "/ecs/web", "web/app/task1", ["first task"], start + 1000);
    appendLogEvents(logs, "/ecs/web", "other/app/task3", ["not ours"], start + 1500);

    const { events } = await clients.logs.send(
      new FilterLogEventsCommand({
        logGroupName: "/ecs/web",
        logStreamNamePrefix: "web/",
        startTime: start + 500,
      }),
    );
    expect(events?.map((event) => [event.logStreamName, event.message])).toEqual([
      ["web/app/task1", "first task"],
      ["web/app/task2", "second task"],
    ]);
    await expect(
      clients.logs.send(
        new FilterLogEventsCommand({
          logGroupName: "/ecs/web",
          logStreamNamePrefix: "web/",
          logStreamNames: ["web/app/task1"],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it("keeps regions apart", async () => {
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/web" }));
    const { clientsFor } = await import("../../test-clients.ts");
    const other = clientsFor(emulator, "eu-west-1");
    expect((await other.logs.send(new DescribeLogGroupsCommand({}))).logGroups).toEqual([]);
  });
});
