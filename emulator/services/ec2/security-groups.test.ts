import {
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { addVpc } from "./control.ts";
import { expectEc2Error, useEc2Harness } from "./test-support.ts";

const harness = useEc2Harness();

const owned = (service: string) => [
  {
    ResourceType: "security-group" as const,
    Tags: [
      { Key: "ecs-converge.io/managed-by", Value: "ecs-converge" },
      { Key: "ecs-converge.io/service", Value: service },
    ],
  },
];

async function describeGroups(filters: Record<string, string[]>) {
  const { SecurityGroups = [] } = await harness.ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: Object.entries(filters).map(([Name, Values]) => ({ Name, Values })),
    }),
  );
  return SecurityGroups.map((group) => group.GroupName).sort();
}

describe("CreateSecurityGroup", () => {
  it("creates a group in the default VPC with the tags of the create call and one egress rule", async () => {
    const created = await harness.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: "web-alb",
        Description: "web ALB",
        TagSpecifications: owned("web"),
      }),
    );
    expect(created.GroupId).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(created.Tags).toEqual(owned("web")[0]?.Tags);
    const defaultVpcId = (await harness.ec2.send(new DescribeVpcsCommand({}))).Vpcs?.[0]?.VpcId;
    const { SecurityGroups } = await harness.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [created.GroupId ?? ""] }),
    );
    expect(SecurityGroups).toEqual([
      {
        GroupId: created.GroupId,
        GroupName: "web-alb",
        Description: "web ALB",
        OwnerId: "000000000000",
        VpcId: defaultVpcId,
        SecurityGroupArn: `arn:aws:ec2:us-east-1:000000000000:security-group/${created.GroupId}`,
        Tags: owned("web")[0]?.Tags,
        IpPermissions: [],
        IpPermissionsEgress: [
          {
            IpProtocol: "-1",
            IpRanges: [{ CidrIp: "0.0.0.0/0" }],
            Ipv6Ranges: [],
            PrefixListIds: [],
            UserIdGroupPairs: [],
          },
        ],
      },
    ]);
  });

  it("creates a group in a named VPC, where the same name may exist again", async () => {
    const custom = addVpc(harness.emulator.world, "us-east-1", { cidrBlock: "10.0.0.0/16", subnets: [] });
    await harness.createGroup("web-alb");
    const groupId = await harness.createGroup("web-alb", custom.vpc.vpcId);
    expect(harness.state().securityGroups.get(groupId)?.vpcId).toBe(custom.vpc.vpcId);
    expect(await describeGroups({ "group-name": ["web-alb"] })).toEqual(["web-alb", "web-alb"]);
  });

  it("refuses a name taken in the VPC, reserved names and names like ids", async () => {
    await harness.createGroup("web-alb");
    await expectEc2Error(harness.createGroup("web-alb"), "InvalidGroup.Duplicate");
    await expectEc2Error(harness.createGroup("default"), "InvalidGroup.Reserved");
    await expectEc2Error(harness.createGroup("sg-web"), "InvalidParameterValue");
    await expectEc2Error(harness.createGroup("naïve"), "InvalidParameterValue");
  });

  it("needs GroupName and GroupDescription, and an existing VPC", async () => {
    await expectEc2Error(
      harness.ec2.send(
        new CreateSecurityGroupCommand({ GroupName: "web", Description: undefined as unknown as string }),
      ),
      "MissingParameter",
    );
    await expectEc2Error(
      harness.ec2.send(
        new CreateSecurityGroupCommand({ GroupName: undefined as unknown as string, Description: "d" }),
      ),
      "MissingParameter",
    );
    await expectEc2Error(harness.createGroup("web", "vpc-0123456789abcdef0"), "InvalidVpcID.NotFound");
  });

  it("changes nothing when a tag is refused", async () => {
    const refused = [
      { ResourceType: "security-group" as const, Tags: [{ Key: "aws:reserved", Value: "x" }] },
    ];
    await expectEc2Error(
      harness.ec2.send(
        new CreateSecurityGroupCommand({ GroupName: "web", Description: "d", TagSpecifications: refused }),
      ),
      "InvalidParameterValue",
    );
    const wrongType = [{ ResourceType: "vpc" as const, Tags: [{ Key: "a", Value: "b" }] }];
    await expectEc2Error(
      harness.ec2.send(
        new CreateSecurityGroupCommand({ GroupName: "web", Description: "d", TagSpecifications: wrongType }),
      ),
      "InvalidParameterValue",
    );
    const tooMany = [
      {
        ResourceType: "security-group" as const,
        Tags: Array.from({ length: 51 }, (_, index) => ({ Key: `k${index}`, Value: "v" })),
      },
    ];
    await expectEc2Error(
      harness.ec2.send(
        new CreateSecurityGroupCommand({ GroupName: "web", Description: "d", TagSpecifications: tooMany }),
      ),
      "TagLimitExceeded",
    );
    expect(await describeGroups({})).toEqual(["default"]);
  });
});

describe("DescribeSecurityGroups", () => {
  it("filters by tag, tag-key, vpc-id, group-name and group-id, with wildcards", async () => {
    await harness.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: "web-alb",
        Description: "d",
        TagSpecifications: owned("web"),
      }),
    );
    await harness.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: "web-tasks",
        Description: "d",
        TagSpecifications: owned("web"),
      }),
    );
    const apiId = (
      await harness.ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: "api-alb",
          Description: "d",
          TagSpecifications: owned("api"),
        }),
      )
    ).GroupId;
    const vpcId = harness.state().securityGroups.get(apiId ?? "")?.vpcId ?? "";

    expect(await describeGroups({ "tag:ecs-converge.io/service": ["web"] })).toEqual([
      "web-alb",
      "web-tasks",
    ]);
    expect(await describeGroups({ "tag-key": ["ecs-converge.io/managed-by"] })).toEqual([
      "api-alb",
      "web-alb",
      "web-tasks",
    ]);
    expect(await describeGroups({ "vpc-id": [vpcId], "group-name": ["*-alb"] })).toEqual([
      "api-alb",
      "web-alb",
    ]);
    expect(
      await describeGroups({ "group-name": ["web-alb", "api-alb"], "tag:ecs-converge.io/service": ["a?i"] }),
    ).toEqual(["api-alb"]);
    expect(await describeGroups({ "group-id": [apiId ?? ""] })).toEqual(["api-alb"]);
    expect(await describeGroups({ "group-name": ["nothing"] })).toEqual([]);
  });

  it("raises InvalidGroup.NotFound for an unknown id or default-VPC name, and a malformed id is named so", async () => {
    await expectEc2Error(
      harness.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ["sg-0123456789abcdef0"] })),
      "InvalidGroup.NotFound",
    );
    await expectEc2Error(
      harness.ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ["missing"] })),
      "InvalidGroup.NotFound",
    );
    await expectEc2Error(
      harness.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ["web"] })),
      "InvalidGroupId.Malformed",
    );
    const { SecurityGroups } = await harness.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupNames: ["default"] }),
    );
    expect(SecurityGroups?.map((group) => group.GroupName)).toEqual(["default"]);
  });

  it("pages with MaxResults and NextToken, each group once", async () => {
    for (let index = 0; index < 11; index++) await harness.createGroup(`group-${index}`);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await harness.ec2.send(
        new DescribeSecurityGroupsCommand({ MaxResults: 5, NextToken: token }),
      );
      seen.push(...(page.SecurityGroups ?? []).map((group) => group.GroupName ?? ""));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(
      ["default", ...Array.from({ length: 11 }, (_, index) => `group-${index}`)].sort(),
    );
  });

  it("answers a DryRun with DryRunOperation and creates nothing", async () => {
    await expectEc2Error(
      harness.ec2.send(new CreateSecurityGroupCommand({ GroupName: "web", Description: "d", DryRun: true })),
      "DryRunOperation",
    );
    expect(await describeGroups({})).toEqual(["default"]);
  });
});

describe("DeleteSecurityGroup", () => {
  it("deletes by id or by default-VPC name; a deleted group is not found", async () => {
    const groupId = await harness.createGroup("web");
    await harness.createGroup("api");
    const deleted = await harness.ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
    expect(deleted.Return).toBe(true);
    expect(deleted.GroupId).toBe(groupId);
    await harness.ec2.send(new DeleteSecurityGroupCommand({ GroupName: "api" }));
    expect(await describeGroups({})).toEqual(["default"]);
    await expectEc2Error(
      harness.ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })),
      "InvalidGroup.NotFound",
    );
    await expectEc2Error(harness.ec2.send(new DeleteSecurityGroupCommand({})), "MissingParameter");
  });

  it("refuses to delete a VPC's default group", async () => {
    const defaultId = [...harness.state().securityGroups.values()][0]?.groupId;
    await expectEc2Error(
      harness.ec2.send(new DeleteSecurityGroupCommand({ GroupId: defaultId })),
      "CannotDelete",
    );
    expect(await describeGroups({})).toEqual(["default"]);
  });
});
