/** ElbTagReader and ElbTagBatch against the emulator: tags as AWS holds them, lookups made together read together. */
import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { AddTagsCommand, CreateTargetGroupCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../../emulator/index.ts";
import { startTestEmulator, type TestClients } from "../../emulator/test-clients.ts";
import { type AwsClients, createAwsClients, destroyAwsClients, EMULATOR_ACCESS_KEY_ID } from "./clients.ts";
import { ElbTagBatch, ElbTagReader } from "./elb-tags.ts";

let emulator: Emulator;
let operator: TestClients;
let controller: AwsClients;

beforeAll(async () => {
  ({ emulator, clients: operator } = await startTestEmulator());
  controller = createAwsClients({ region: "us-east-1", endpoint: emulator.url });
});
afterAll(async () => {
  destroyAwsClients(controller);
  await emulator?.close();
});
beforeEach(() => emulator.reset());

/** Target groups named `tg-1` … `tg-N`, each tagged `owner=tg-i`; their ARNs. */
async function taggedGroups(clients: TestClients, count: number): Promise<string[]> {
  const { Vpcs = [] } = await clients.ec2.send(new DescribeVpcsCommand({}));
  const VpcId = Vpcs[0]?.VpcId;
  const elbv2 = clients.elbv2;
  const arns: string[] = [];
  for (let index = 1; index <= count; index++) {
    const { TargetGroups = [] } = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: `tg-${index}`,
        Protocol: "HTTP",
        Port: 80,
        TargetType: "ip",
        VpcId,
      }),
    );
    const arn = TargetGroups[0]?.TargetGroupArn ?? "";
    await elbv2.send(
      new AddTagsCommand({ ResourceArns: [arn], Tags: [{ Key: "owner", Value: `tg-${index}` }] }),
    );
    arns.push(arn);
  }
  return arns;
}

const describeTagsCalls = () =>
  emulator.calls
    .calls()
    .filter((call) => call.accessKeyId === EMULATOR_ACCESS_KEY_ID && call.operation === "DescribeTags")
    .length;

describe("ElbTagReader", () => {
  it("reads each resource's own tags, 20 ARNs a call", async () => {
    const arns = await taggedGroups(operator, 25);
    emulator.calls.reset();
    const reader = new ElbTagReader(controller);
    const tags = await Promise.all(arns.map((arn) => reader.tagsOf(arn)));
    expect(tags.map((set) => set.owner)).toEqual(arns.map((_, index) => `tg-${index + 1}`));
    expect(describeTagsCalls()).toBe(2);
    // Known: asked again, nothing is read.
    await reader.tagsOf(arns[0] ?? "");
    expect(describeTagsCalls()).toBe(2);
  });

  it("shares a region's batch between readers whose lookups come within its window", async () => {
    const arns = await taggedGroups(operator, 3);
    emulator.calls.reset();
    const batch = new ElbTagBatch(50);
    const readers = arns.map(() => new ElbTagReader(controller, new Map(), batch));
    const first = readers[0]?.tagsOf(arns[0] ?? "");
    await new Promise((resolve) => setTimeout(resolve, 5));
    const others = await Promise.all(
      readers.slice(1).map((reader, index) => reader.tagsOf(arns[index + 1] ?? "")),
    );
    expect([(await first)?.owner, ...others.map((set) => set.owner)]).toEqual(["tg-1", "tg-2", "tg-3"]);
    expect(describeTagsCalls()).toBe(1);
  });

  it("gathers every lookup made while a batch's call is in flight into the next call", async () => {
    const arns = await taggedGroups(operator, 12);
    emulator.calls.reset();
    // Every DescribeTags answer takes 200 ms: lookups keep coming meanwhile, as under rate limits.
    emulator.injectFaults({ rules: [{ service: "elbv2", operation: "DescribeTags", latencyMs: 200 }] });
    try {
      const batch = new ElbTagBatch(1);
      const first = new ElbTagReader(controller, new Map(), batch).tagsOf(arns[0] ?? "");
      await new Promise((resolve) => setTimeout(resolve, 50));
      const later = await Promise.all(
        arns.slice(1).map(async (arn, index) => {
          await new Promise((resolve) => setTimeout(resolve, index * 5));
          return new ElbTagReader(controller, new Map(), batch).tagsOf(arn);
        }),
      );
      expect([(await first).owner, ...later.map((set) => set.owner)]).toEqual(
        arns.map((_, index) => `tg-${index + 1}`),
      );
      // The first lookup's call, then one for the eleven asked while it was in flight.
      expect(describeTagsCalls()).toBe(2);
    } finally {
      emulator.clearFaults();
    }
  });
});
