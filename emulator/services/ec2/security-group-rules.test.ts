import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  type IpPermission,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { addVpc } from "./control.ts";
import { expectEc2Error, useEc2Harness } from "./test-support.ts";

const harness = useEc2Harness();

const fromAnywhere = (port: number): IpPermission => ({
  IpProtocol: "tcp",
  FromPort: port,
  ToPort: port,
  IpRanges: [{ CidrIp: "0.0.0.0/0" }],
});
const fromGroup = (port: number, groupId: string): IpPermission => ({
  IpProtocol: "tcp",
  FromPort: port,
  ToPort: port,
  UserIdGroupPairs: [{ GroupId: groupId }],
});

async function ingressOf(groupId: string) {
  const { SecurityGroups } = await harness.ec2.send(
    new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }),
  );
  return SecurityGroups?.[0]?.IpPermissions;
}

async function egressOf(groupId: string) {
  const { SecurityGroups } = await harness.ec2.send(
    new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }),
  );
  return SecurityGroups?.[0]?.IpPermissionsEgress;
}

describe("AuthorizeSecurityGroupIngress", () => {
  it("allows a port from a CIDR and from a source group, each a rule of its own, read back merged", async () => {
    const alb = await harness.createGroup("web-alb");
    const tasks = await harness.createGroup("web-tasks");
    const answer = await harness.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: tasks,
        IpPermissions: [
          { ...fromGroup(8080, alb), IpRanges: [{ CidrIp: "10.0.0.7/8", Description: "office" }] },
        ],
      }),
    );
    expect(answer.Return).toBe(true);
    expect(answer.SecurityGroupRules).toEqual([
      expect.objectContaining({
        GroupId: tasks,
        IsEgress: false,
        IpProtocol: "tcp",
        FromPort: 8080,
        ToPort: 8080,
        CidrIpv4: "10.0.0.0/8",
        Description: "office",
        SecurityGroupRuleId: expect.stringMatching(/^sgr-[0-9a-f]{17}$/),
      }),
      expect.objectContaining({
        IsEgress: false,
        FromPort: 8080,
        ReferencedGroupInfo: { GroupId: alb, UserId: "000000000000" },
      }),
    ]);
    expect(await ingressOf(tasks)).toEqual([
      {
        IpProtocol: "tcp",
        FromPort: 8080,
        ToPort: 8080,
        IpRanges: [{ CidrIp: "10.0.0.0/8", Description: "office" }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [{ GroupId: alb, UserId: "000000000000" }],
      },
    ]);
  });

  it("merges rules per protocol and port range, IPv4 and IPv6 side by side", async () => {
    const alb = await harness.createGroup("web-alb");
    await harness.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: alb, IpPermissions: [fromAnywhere(80)] }),
    );
    await harness.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: alb,
        IpPermissions: [
          { IpProtocol: "6", FromPort: 80, ToPort: 80, Ipv6Ranges: [{ CidrIpv6: "::/0" }] },
          fromAnywhere(443),
        ],
      }),
    );
    expect(await ingressOf(alb)).toEqual([
      expect.objectContaining({
        FromPort: 80,
        IpRanges: [{ CidrIp: "0.0.0.0/0" }],
        Ipv6Ranges: [{ CidrIpv6: "::/0" }],
      }),
      expect.objectContaining({ FromPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }], Ipv6Ranges: [] }),
    ]);
  });

  it("accepts the shorthand CidrIp/IpProtocol/FromPort/ToPort form", async () => {
    const alb = await harness.createGroup("web-alb");
    await harness.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: alb,
        IpProtocol: "tcp",
        FromPort: 22,
        ToPort: 22,
        CidrIp: "192.0.2.0/24",
      }),
    );
    expect(await ingressOf(alb)).toEqual([
      expect.objectContaining({
        IpProtocol: "tcp",
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: "192.0.2.0/24" }],
      }),
    ]);
  });

  it("refuses a rule that exists (whatever its description) with InvalidPermission.Duplicate, adding nothing", async () => {
    const alb = await harness.createGroup("web-alb");
    await harness.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: alb, IpPermissions: [fromAnywhere(80)] }),
    );
    const again = { ...fromAnywhere(80), IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "other words" }] };
    await expectEc2Error(
      harness.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: alb, IpPermissions: [fromAnywhere(443), again] }),
      ),
      "InvalidPermission.Duplicate",
    );
    expect((await ingressOf(alb))?.map((permission) => permission.FromPort)).toEqual([80]);
  });

  it("refuses an unknown group, an unknown source group, bad ports and malformed CIDRs", async () => {
    const alb = await harness.createGroup("web-alb");
    const authorize = (groupId: string, permission: IpPermission) =>
      harness.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [permission] }),
      );
    await expectEc2Error(authorize("sg-0123456789abcdef0", fromAnywhere(80)), "InvalidGroup.NotFound");
    await expectEc2Error(authorize(alb, fromGroup(80, "sg-0123456789abcdef0")), "InvalidGroup.NotFound");
    await expectEc2Error(
      authorize(alb, { IpProtocol: "tcp", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }),
      "InvalidParameterValue",
    );
    await expectEc2Error(authorize(alb, { ...fromAnywhere(80), ToPort: 70 }), "InvalidParameterValue");
    await expectEc2Error(
      authorize(alb, { ...fromAnywhere(80), IpRanges: [{ CidrIp: "10.0.0.0" }] }),
      "InvalidParameterValue",
    );
    await expectEc2Error(
      authorize(alb, { ...fromAnywhere(80), IpProtocol: "http" }),
      "InvalidParameterValue",
    );
    await expectEc2Error(
      harness.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: alb })),
      "MissingParameter",
    );
    expect(await ingressOf(alb)).toEqual([]);
  });

  it("refuses a source group of another VPC", async () => {
    const custom = addVpc(harness.emulator.world, "us-east-1", { cidrBlock: "10.0.0.0/16", subnets: [] });
    const alb = await harness.createGroup("web-alb");
    await expectEc2Error(
      harness.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: alb,
          IpPermissions: [fromGroup(80, custom.defaultSecurityGroup.groupId)],
        }),
      ),
      "InvalidGroup.NotFound",
    );
  });
});

describe("RevokeSecurityGroupIngress", () => {
  it("removes a rule by its properties (description not needed) or by its id", async () => {
    const alb = await harness.createGroup("web-alb");
    const { SecurityGroupRules = [] } = await harness.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: alb,
        IpPermissions: [
          { ...fromAnywhere(80), IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "web" }] },
          fromAnywhere(443),
        ],
      }),
    );
    const revoked = await harness.ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: alb, IpPermissions: [fromAnywhere(80)] }),
    );
    expect(revoked.Return).toBe(true);
    expect(revoked.RevokedSecurityGroupRules?.map((rule) => rule.SecurityGroupRuleId)).toEqual([
      SecurityGroupRules[0]?.SecurityGroupRuleId,
    ]);
    await harness.ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: alb,
        SecurityGroupRuleIds: [SecurityGroupRules[1]?.SecurityGroupRuleId ?? ""],
      }),
    );
    expect(await ingressOf(alb)).toEqual([]);
    await expectEc2Error(
      harness.ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: alb,
          SecurityGroupRuleIds: [SecurityGroupRules[1]?.SecurityGroupRuleId ?? ""],
        }),
      ),
      "InvalidSecurityGroupRuleId.NotFound",
    );
  });

  it("fails with InvalidPermission.NotFound in a non-default VPC when a rule is missing, revoking nothing", async () => {
    const custom = addVpc(harness.emulator.world, "us-east-1", { cidrBlock: "10.0.0.0/16", subnets: [] });
    const alb = await harness.createGroup("web-alb", custom.vpc.vpcId);
    await harness.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: alb, IpPermissions: [fromAnywhere(80)] }),
    );
    await expectEc2Error(
      harness.ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: alb,
          IpPermissions: [fromAnywhere(80), fromAnywhere(443)],
        }),
      ),
      "InvalidPermission.NotFound",
    );
    expect((await ingressOf(alb))?.map((permission) => permission.FromPort)).toEqual([80]);
  });

  it("in the default VPC revokes what matches and reports the rest as unknown, as AWS documents", async () => {
    const alb = await harness.createGroup("web-alb");
    await harness.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: alb, IpPermissions: [fromAnywhere(80)] }),
    );
    const answer = await harness.ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: alb,
        IpPermissions: [fromAnywhere(80), fromAnywhere(443)],
      }),
    );
    expect(answer.UnknownIpPermissions).toEqual([expect.objectContaining({ FromPort: 443 })]);
    expect(await ingressOf(alb)).toEqual([]);
  });
});

describe("egress rules", () => {
  it("can replace the default all-traffic rule with a narrower one", async () => {
    const tasks = await harness.createGroup("web-tasks");
    await harness.ec2.send(
      new RevokeSecurityGroupEgressCommand({
        GroupId: tasks,
        IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      }),
    );
    await harness.ec2.send(
      new AuthorizeSecurityGroupEgressCommand({ GroupId: tasks, IpPermissions: [fromAnywhere(443)] }),
    );
    expect(await egressOf(tasks)).toEqual([
      expect.objectContaining({ IpProtocol: "tcp", FromPort: 443, ToPort: 443 }),
    ]);
    await expectEc2Error(
      harness.ec2.send(
        new AuthorizeSecurityGroupEgressCommand({ GroupId: tasks, IpPermissions: [fromAnywhere(443)] }),
      ),
      "InvalidPermission.Duplicate",
    );
    await expectEc2Error(
      harness.ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: tasks })),
      "MissingParameter",
    );
  });
});

describe("DependencyViolation from a referencing rule", () => {
  it("keeps a group referenced by another group's rule until the rule is revoked", async () => {
    const alb = await harness.createGroup("web-alb");
    const tasks = await harness.createGroup("web-tasks");
    await harness.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: tasks, IpPermissions: [fromGroup(8080, alb)] }),
    );
    await expectEc2Error(
      harness.ec2.send(new DeleteSecurityGroupCommand({ GroupId: alb })),
      "DependencyViolation",
    );
    expect(harness.state().securityGroups.has(alb)).toBe(true);
    await harness.ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: tasks, IpPermissions: [fromGroup(8080, alb)] }),
    );
    await harness.ec2.send(new DeleteSecurityGroupCommand({ GroupId: alb }));
    expect(harness.state().securityGroups.has(alb)).toBe(false);
  });

  it("lets a group that references only itself be deleted, and deleting the referrer frees the referenced", async () => {
    const alb = await harness.createGroup("web-alb");
    const tasks = await harness.createGroup("web-tasks");
    await harness.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: tasks,
        IpPermissions: [fromGroup(8080, alb), fromGroup(9000, tasks)],
      }),
    );
    await harness.ec2.send(new DeleteSecurityGroupCommand({ GroupId: tasks }));
    await harness.ec2.send(new DeleteSecurityGroupCommand({ GroupId: alb }));
    expect(harness.state().securityGroups.size).toBe(1);
  });
});

describe("DescribeSecurityGroupRules", () => {
  it("lists rules by group with -1 ports for all traffic, and tags from the authorize call", async () => {
    const alb = await harness.createGroup("web-alb");
    await harness.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: alb,
        IpPermissions: [fromAnywhere(80)],
        TagSpecifications: [
          { ResourceType: "security-group-rule", Tags: [{ Key: "purpose", Value: "http" }] },
        ],
      }),
    );
    const { SecurityGroupRules = [] } = await harness.ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [alb] }] }),
    );
    expect(
      SecurityGroupRules.map((rule) => [
        rule.IsEgress,
        rule.IpProtocol,
        rule.FromPort,
        rule.ToPort,
        rule.CidrIpv4,
        rule.Tags,
      ]).sort(),
    ).toEqual([
      [false, "tcp", 80, 80, "0.0.0.0/0", [{ Key: "purpose", Value: "http" }]],
      [true, "-1", -1, -1, "0.0.0.0/0", undefined],
    ]);
  });
});
