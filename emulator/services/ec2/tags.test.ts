import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { allocateNetworkInterface } from "./internal.ts";
import { expectEc2Error, useEc2Harness } from "./test-support.ts";

const harness = useEc2Harness();

async function tagsOfGroup(groupId: string) {
  const { SecurityGroups } = await harness.ec2.send(
    new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }),
  );
  return SecurityGroups?.[0]?.Tags;
}

describe("CreateTags", () => {
  it("tags groups, VPCs, subnets and ENIs, overwriting a key's value", async () => {
    const groupId = await harness.createGroup("web");
    const vpc = [...harness.state().vpcs.values()][0];
    const subnet = [...harness.state().subnets.values()][0];
    if (!vpc || !subnet) throw new Error("no default network");
    const eni = allocateNetworkInterface(
      harness.emulator.world.region("us-east-1"),
      {
        subnetId: subnet.subnetId,
        groupIds: [],
        description: "d",
        interfaceType: "interface",
        requesterId: "r",
        now: harness.emulator.world.time,
      },
      harness.emulator.world.random,
    );
    const resources = [groupId, vpc.vpcId, subnet.subnetId, eni.networkInterfaceId];
    await harness.ec2.send(
      new CreateTagsCommand({ Resources: resources, Tags: [{ Key: "team", Value: "a" }] }),
    );
    await harness.ec2.send(
      new CreateTagsCommand({ Resources: [groupId], Tags: [{ Key: "team", Value: "b" }, { Key: "empty" }] }),
    );
    expect(await tagsOfGroup(groupId)).toEqual([
      { Key: "team", Value: "b" },
      { Key: "empty", Value: "" },
    ]);
    const { Vpcs } = await harness.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: "tag:team", Values: ["a"] }] }),
    );
    expect(Vpcs?.map((found) => found.VpcId)).toEqual([vpc.vpcId]);
    const { Subnets } = await harness.ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: "tag-key", Values: ["team"] }] }),
    );
    expect(Subnets?.map((found) => found.SubnetId)).toEqual([subnet.subnetId]);
    expect(harness.state().networkInterfaces.get(eni.networkInterfaceId)?.tags.get("team")).toBe("a");
  });

  it("refuses the aws: prefix, a 51st tag and unknown resources, tagging none of the resources", async () => {
    const groupId = await harness.createGroup("web");
    const fifty = Array.from({ length: 50 }, (_, index) => ({ Key: `k${index}`, Value: "v" }));
    await harness.ec2.send(new CreateTagsCommand({ Resources: [groupId], Tags: fifty }));
    await expectEc2Error(
      harness.ec2.send(
        new CreateTagsCommand({ Resources: [groupId], Tags: [{ Key: "one-more", Value: "v" }] }),
      ),
      "TagLimitExceeded",
    );
    const other = await harness.createGroup("api");
    await expectEc2Error(
      harness.ec2.send(
        new CreateTagsCommand({ Resources: [other], Tags: [{ Key: "aws:cloudformation", Value: "v" }] }),
      ),
      "InvalidParameterValue",
    );
    await expectEc2Error(
      harness.ec2.send(
        new CreateTagsCommand({
          Resources: [other, "sg-0123456789abcdef0"],
          Tags: [{ Key: "team", Value: "a" }],
        }),
      ),
      "InvalidGroup.NotFound",
    );
    await expectEc2Error(
      harness.ec2.send(
        new CreateTagsCommand({ Resources: ["i-0123456789abcdef0"], Tags: [{ Key: "a", Value: "b" }] }),
      ),
      "InvalidID",
    );
    expect(await tagsOfGroup(other)).toBeUndefined();
    expect(await tagsOfGroup(groupId)).toHaveLength(50);
  });

  it("needs resources and tags", async () => {
    const groupId = await harness.createGroup("web");
    await expectEc2Error(
      harness.ec2.send(new CreateTagsCommand({ Resources: [groupId], Tags: [] })),
      "MissingParameter",
    );
    await expectEc2Error(
      harness.ec2.send(new CreateTagsCommand({ Resources: [], Tags: [{ Key: "a", Value: "b" }] })),
      "MissingParameter",
    );
  });
});

describe("DeleteTags", () => {
  it("deletes a key, or a key only when its value matches, or every tag when no tags are named", async () => {
    const groupId = await harness.createGroup("web");
    const tags = [
      { Key: "a", Value: "1" },
      { Key: "b", Value: "2" },
      { Key: "c", Value: "" },
      { Key: "d", Value: "4" },
    ];
    await harness.ec2.send(new CreateTagsCommand({ Resources: [groupId], Tags: tags }));
    await harness.ec2.send(
      new DeleteTagsCommand({
        Resources: [groupId],
        Tags: [{ Key: "a" }, { Key: "b", Value: "wrong" }, { Key: "c", Value: "" }, { Key: "missing" }],
      }),
    );
    expect(await tagsOfGroup(groupId)).toEqual([
      { Key: "b", Value: "2" },
      { Key: "d", Value: "4" },
    ]);
    await harness.ec2.send(new DeleteTagsCommand({ Resources: [groupId] }));
    expect(await tagsOfGroup(groupId)).toBeUndefined();
    await expectEc2Error(
      harness.ec2.send(new DeleteTagsCommand({ Resources: ["vpc-0123456789abcdef0"] })),
      "InvalidVpcID.NotFound",
    );
  });
});
