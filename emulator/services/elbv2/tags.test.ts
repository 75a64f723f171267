import {
  AddTagsCommand,
  DescribeTagsCommand,
  DuplicateTagKeysException,
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  RemoveTagsCommand,
  TargetGroupNotFoundException,
  TooManyTagsException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../../server.ts";
import { startTestEmulator, type TestClients } from "../../test-clients.ts";
import { createAlb, createListener, createTargetGroup, defaultNetwork } from "./test-fixtures.ts";

let emulator: Emulator;
let clients: TestClients;
let arns: { loadBalancer: string; targetGroup: string; listener: string };

const ownership = [
  { Key: "ecs-converge.io/managed-by", Value: "ecs-converge" },
  { Key: "ecs-converge.io/service", Value: "web" },
];

beforeEach(async () => {
  if (!emulator) ({ emulator, clients } = await startTestEmulator());
  emulator.reset();
  const network = await defaultNetwork(clients);
  const loadBalancer = (await createAlb(clients, network, { Tags: ownership })).LoadBalancerArn;
  const targetGroup = (await createTargetGroup(clients, network, { Tags: ownership })).TargetGroupArn;
  const listener = (await createListener(clients, loadBalancer, targetGroup, { Tags: ownership }))
    .ListenerArn;
  arns = { loadBalancer, targetGroup, listener };
});
afterAll(async () => {
  await emulator?.close();
});

const tagsOf = async (...resourceArns: string[]) =>
  (await clients.elbv2.send(new DescribeTagsCommand({ ResourceArns: resourceArns }))).TagDescriptions;

describe("tags", () => {
  it("are written by the create calls of load balancers, target groups and listeners", async () => {
    expect(await tagsOf(arns.loadBalancer, arns.targetGroup, arns.listener)).toEqual([
      { ResourceArn: arns.loadBalancer, Tags: ownership },
      { ResourceArn: arns.targetGroup, Tags: ownership },
      { ResourceArn: arns.listener, Tags: ownership },
    ]);
  });

  it("are added (replacing values of existing keys) and removed", async () => {
    await clients.elbv2.send(
      new AddTagsCommand({
        ResourceArns: [arns.loadBalancer, arns.targetGroup],
        Tags: [
          { Key: "ecs-converge.io/service", Value: "api" },
          { Key: "team", Value: "a" },
        ],
      }),
    );
    await clients.elbv2.send(
      new RemoveTagsCommand({
        ResourceArns: [arns.targetGroup],
        TagKeys: ["ecs-converge.io/managed-by", "absent"],
      }),
    );
    expect(await tagsOf(arns.loadBalancer, arns.targetGroup)).toEqual([
      {
        ResourceArn: arns.loadBalancer,
        Tags: [
          { Key: "ecs-converge.io/managed-by", Value: "ecs-converge" },
          { Key: "ecs-converge.io/service", Value: "api" },
          { Key: "team", Value: "a" },
        ],
      },
      {
        ResourceArn: arns.targetGroup,
        Tags: [
          { Key: "ecs-converge.io/service", Value: "api" },
          { Key: "team", Value: "a" },
        ],
      },
    ]);
  });

  it("stop at 50 per resource (TooManyTags), changing nothing", async () => {
    const tags = Array.from({ length: 49 }, (_, index) => ({ Key: `k${index}`, Value: "v" }));
    await expect(
      clients.elbv2.send(
        new AddTagsCommand({ ResourceArns: [arns.targetGroup, arns.loadBalancer], Tags: tags }),
      ),
    ).rejects.toBeInstanceOf(TooManyTagsException);
    expect(await tagsOf(arns.targetGroup)).toEqual([{ ResourceArn: arns.targetGroup, Tags: ownership }]);
    await clients.elbv2.send(
      new AddTagsCommand({ ResourceArns: [arns.targetGroup], Tags: tags.slice(0, 48) }),
    );
    expect((await tagsOf(arns.targetGroup))?.[0]?.Tags).toHaveLength(50);
  });

  it("refuse a key given twice (DuplicateTagKeys) and reserved aws: keys", async () => {
    await expect(
      clients.elbv2.send(
        new AddTagsCommand({
          ResourceArns: [arns.loadBalancer],
          Tags: [
            { Key: "a", Value: "1" },
            { Key: "a", Value: "2" },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(DuplicateTagKeysException);
    await expect(
      clients.elbv2.send(
        new AddTagsCommand({ ResourceArns: [arns.loadBalancer], Tags: [{ Key: "aws:x", Value: "1" }] }),
      ),
    ).rejects.toMatchObject({ name: "ValidationError" });
  });

  it("are described for at most 20 resources per call", async () => {
    const many = Array.from({ length: 21 }, () => arns.loadBalancer);
    await expect(clients.elbv2.send(new DescribeTagsCommand({ ResourceArns: many }))).rejects.toMatchObject({
      name: "ValidationError",
    });
  });

  it("answer unknown resources with the not-found error of their kind", async () => {
    const gone = (arn: string) => arn.replace(/\/[0-9a-f]{16}$/, "/0000000000000000");
    await expect(tagsOf(gone(arns.loadBalancer))).rejects.toBeInstanceOf(LoadBalancerNotFoundException);
    await expect(tagsOf(gone(arns.targetGroup))).rejects.toBeInstanceOf(TargetGroupNotFoundException);
    await expect(tagsOf(gone(arns.listener))).rejects.toBeInstanceOf(ListenerNotFoundException);
  });
});
