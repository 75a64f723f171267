import {
  DescribeAvailabilityZonesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { clientsFor } from "../../test-clients.ts";
import { addVpc } from "./control.ts";
import { allocateNetworkInterface } from "./internal.ts";
import { expectEc2Error, useEc2Harness } from "./test-support.ts";

const harness = useEc2Harness();

describe("the default network of a region", () => {
  it("is a default VPC 172.31.0.0/16 with one default /20 subnet per availability zone", async () => {
    const { Vpcs } = await harness.ec2.send(new DescribeVpcsCommand({}));
    expect(Vpcs).toEqual([
      expect.objectContaining({
        CidrBlock: "172.31.0.0/16",
        IsDefault: true,
        State: "available",
        OwnerId: "000000000000",
        VpcId: expect.stringMatching(/^vpc-[0-9a-f]{17}$/),
      }),
    ]);
    const vpcId = Vpcs?.[0]?.VpcId;
    const { Subnets = [] } = await harness.ec2.send(new DescribeSubnetsCommand({}));
    const byZone = Subnets.map((subnet) => [
      subnet.AvailabilityZone,
      subnet.CidrBlock,
      subnet.DefaultForAz,
      subnet.MapPublicIpOnLaunch,
      subnet.VpcId,
      subnet.AvailableIpAddressCount,
    ]).sort();
    expect(byZone).toEqual([
      ["us-east-1a", "172.31.0.0/20", true, true, vpcId, 4091],
      ["us-east-1b", "172.31.16.0/20", true, true, vpcId, 4091],
      ["us-east-1c", "172.31.32.0/20", true, true, vpcId, 4091],
    ]);
    const { SecurityGroups } = await harness.ec2.send(new DescribeSecurityGroupsCommand({}));
    expect(SecurityGroups?.map((group) => [group.GroupName, group.VpcId])).toEqual([["default", vpcId]]);
  });

  it("differs between regions, and each region names its own zones", async () => {
    const other = clientsFor(harness.emulator, "eu-west-1").ec2;
    const home = (await harness.ec2.send(new DescribeVpcsCommand({}))).Vpcs?.[0]?.VpcId;
    const away = (await other.send(new DescribeVpcsCommand({}))).Vpcs?.[0]?.VpcId;
    expect(away).toBeDefined();
    expect(away).not.toBe(home);
    const { Subnets = [] } = await other.send(new DescribeSubnetsCommand({}));
    expect(Subnets.map((subnet) => subnet.AvailabilityZone).sort()).toEqual([
      "eu-west-1a",
      "eu-west-1b",
      "eu-west-1c",
    ]);
    const { AvailabilityZones = [] } = await other.send(new DescribeAvailabilityZonesCommand({}));
    expect(AvailabilityZones.map((zone) => [zone.ZoneName, zone.ZoneId, zone.State])).toEqual([
      ["eu-west-1a", "euw1-az1", "available"],
      ["eu-west-1b", "euw1-az2", "available"],
      ["eu-west-1c", "euw1-az3", "available"],
    ]);
  });

  it("is the same after a reset, so a seed reproduces ids", async () => {
    const before = (await harness.ec2.send(new DescribeVpcsCommand({}))).Vpcs?.[0]?.VpcId;
    harness.emulator.reset();
    const after = (await harness.ec2.send(new DescribeVpcsCommand({}))).Vpcs?.[0]?.VpcId;
    expect(after).toBe(before);
  });
});

describe("DescribeVpcs and DescribeSubnets", () => {
  it("filter by is-default (or isDefault), vpc-id, default-for-az, availability-zone and subnet-id", async () => {
    const custom = addVpc(harness.emulator.world, "us-east-1", {
      cidrBlock: "10.0.0.0/16",
      subnets: [{ availabilityZone: "us-east-1a", cidrBlock: "10.0.1.0/24" }],
    });
    const defaultVpcs = async (name: string, value: string) =>
      (
        await harness.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: name, Values: [value] }] }))
      ).Vpcs?.map((vpc) => vpc.CidrBlock);
    expect(await defaultVpcs("is-default", "true")).toEqual(["172.31.0.0/16"]);
    expect(await defaultVpcs("isDefault", "false")).toEqual(["10.0.0.0/16"]);

    const subnets = async (...filters: [string, string[]][]) =>
      (
        await harness.ec2.send(
          new DescribeSubnetsCommand({ Filters: filters.map(([Name, Values]) => ({ Name, Values })) }),
        )
      ).Subnets?.map((subnet) => subnet.CidrBlock).sort();
    expect(await subnets(["vpc-id", [custom.vpc.vpcId]])).toEqual(["10.0.1.0/24"]);
    expect(
      await subnets(["default-for-az", ["true"]], ["availability-zone", ["us-east-1a", "us-east-1b"]]),
    ).toEqual(["172.31.0.0/20", "172.31.16.0/20"]);
    expect(await subnets(["availability-zone", ["us-east-1?"]], ["default-for-az", ["false"]])).toEqual([
      "10.0.1.0/24",
    ]);
    const subnetId = custom.subnets[0]?.subnetId ?? "";
    expect(await subnets(["subnet-id", [subnetId]])).toEqual(["10.0.1.0/24"]);
    const mapped = (await harness.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] })))
      .Subnets?.[0];
    expect([mapped?.DefaultForAz, mapped?.MapPublicIpOnLaunch, mapped?.AvailableIpAddressCount]).toEqual([
      false,
      false,
      251,
    ]);
  });

  it("raise the NotFound code for an unknown id, but an unmatched filter is just empty", async () => {
    await expectEc2Error(
      harness.ec2.send(new DescribeVpcsCommand({ VpcIds: ["vpc-0123456789abcdef0"] })),
      "InvalidVpcID.NotFound",
    );
    await expectEc2Error(
      harness.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ["subnet-0123456789abcdef0"] })),
      "InvalidSubnetID.NotFound",
    );
    const { Vpcs } = await harness.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: "vpc-id", Values: ["vpc-0123456789abcdef0"] }] }),
    );
    expect(Vpcs).toEqual([]);
    await expectEc2Error(
      harness.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "no-such-filter", Values: ["x"] }] })),
      "InvalidParameterValue",
    );
  });

  it("page with MaxResults and NextToken", async () => {
    addVpc(harness.emulator.world, "us-east-1", {
      cidrBlock: "10.1.0.0/16",
      subnets: ["a", "b", "c", "a"].map((zone, index) => ({
        availabilityZone: `us-east-1${zone}`,
        cidrBlock: `10.1.${index}.0/24`,
      })),
    });
    const first = await harness.ec2.send(new DescribeSubnetsCommand({ MaxResults: 5 }));
    expect(first.Subnets).toHaveLength(5);
    expect(first.NextToken).toBeDefined();
    const second = await harness.ec2.send(
      new DescribeSubnetsCommand({ MaxResults: 5, NextToken: first.NextToken }),
    );
    expect(second.Subnets).toHaveLength(2);
    expect(second.NextToken).toBeUndefined();
    const ids = [...(first.Subnets ?? []), ...(second.Subnets ?? [])].map((subnet) => subnet.SubnetId);
    expect(new Set(ids).size).toBe(7);
    await expectEc2Error(
      harness.ec2.send(new DescribeVpcsCommand({ MaxResults: 2 })),
      "InvalidParameterValue",
    );
    await expectEc2Error(
      harness.ec2.send(new DescribeVpcsCommand({ MaxResults: 5, NextToken: "not-a-token" })),
      "InvalidPaginationToken",
    );
  });

  it("count the addresses network interfaces hold", async () => {
    const region = harness.emulator.world.region("us-east-1");
    const subnet = [...region.ec2.subnets.values()][0];
    if (!subnet) throw new Error("no default subnet");
    allocateNetworkInterface(
      region,
      {
        subnetId: subnet.subnetId,
        groupIds: [],
        description: "test",
        interfaceType: "interface",
        requesterId: "tester",
        now: harness.emulator.world.time,
      },
      harness.emulator.world.random,
    );
    const { Subnets } = await harness.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnet.subnetId] }));
    expect(Subnets?.[0]?.AvailableIpAddressCount).toBe(4090);
  });
});

describe("DescribeAvailabilityZones", () => {
  it("lists the region's zones, by name or filter, and refuses unknown zones", async () => {
    const { AvailabilityZones } = await harness.ec2.send(
      new DescribeAvailabilityZonesCommand({ Filters: [{ Name: "zone-name", Values: ["*b"] }] }),
    );
    expect(AvailabilityZones?.map((zone) => [zone.ZoneName, zone.ZoneId, zone.RegionName])).toEqual([
      ["us-east-1b", "use1-az2", "us-east-1"],
    ]);
    await expectEc2Error(
      harness.ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ["us-east-1z"] })),
      "InvalidParameterValue",
    );
  });
});

describe("a non-default VPC through the control API", () => {
  it("is created over HTTP with its subnets and default group, and refuses subnets outside it", async () => {
    const post = (body: unknown) =>
      fetch(`${harness.emulator.url}/_emulator/ec2/vpcs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const response = await post({
      region: "eu-west-1",
      cidrBlock: "10.2.0.0/16",
      subnets: [
        { availabilityZone: "eu-west-1a", cidrBlock: "10.2.0.0/24" },
        { availabilityZone: "eu-west-1b", cidrBlock: "10.2.1.0/24", mapPublicIpOnLaunch: true },
      ],
    });
    expect(response.status).toBe(200);
    const created = (await response.json()) as {
      vpcId: string;
      subnetIds: string[];
      defaultSecurityGroupId: string;
    };
    const ec2 = clientsFor(harness.emulator, "eu-west-1").ec2;
    const { Subnets = [] } = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: created.subnetIds }));
    expect(
      Subnets.map((subnet) => [subnet.CidrBlock, subnet.VpcId, subnet.MapPublicIpOnLaunch]).sort(),
    ).toEqual([
      ["10.2.0.0/24", created.vpcId, false],
      ["10.2.1.0/24", created.vpcId, true],
    ]);
    const { SecurityGroups } = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [created.vpcId] }] }),
    );
    expect(SecurityGroups?.map((group) => [group.GroupId, group.GroupName])).toEqual([
      [created.defaultSecurityGroupId, "default"],
    ]);

    const outside = await post({
      cidrBlock: "10.3.0.0/16",
      subnets: [{ availabilityZone: "us-east-1a", cidrBlock: "10.4.0.0/24" }],
    });
    expect(outside.status).toBe(400);
    expect(await outside.json()).toMatchObject({ code: "InvalidSubnet.Range" });
    expect(harness.state().vpcs.size).toBe(1);
  });
});
