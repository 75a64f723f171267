import { DeleteSecurityGroupCommand, DescribeNetworkInterfacesCommand } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { AwsError } from "../../errors.ts";
import { parseIpv4, parseIpv4Block } from "./cidr.ts";
import { addVpc } from "./control.ts";
import {
  allocateNetworkInterface,
  findSecurityGroup,
  findSubnet,
  type InterfaceRequest,
  releaseNetworkInterface,
} from "./internal.ts";
import { expectEc2Error, useEc2Harness } from "./test-support.ts";

const harness = useEc2Harness();

const region = () => harness.emulator.world.region("us-east-1");

function defaultSubnet(zone = "us-east-1a") {
  const subnet = [...harness.state().subnets.values()].find(
    (candidate) => candidate.availabilityZone === zone,
  );
  if (!subnet) throw new Error(`no default subnet in ${zone}`);
  return subnet;
}

/** An ENI as ECS allocates one for a task (awsvpc); override fields per test. */
function allocate(request: Partial<InterfaceRequest> & { groupIds: string[] }) {
  return allocateNetworkInterface(
    region(),
    {
      subnetId: defaultSubnet().subnetId,
      description: "arn:aws:ecs:us-east-1:000000000000:attachment/0f1e2d3c",
      interfaceType: "interface",
      requesterId: "arn:aws:ecs:us-east-1:000000000000:task/demo/0f1e2d3c",
      now: harness.emulator.world.time,
      ...request,
    },
    harness.emulator.world.random,
  );
}

describe("allocateNetworkInterface", () => {
  it("creates an in-use ENI in the subnet with an address of its CIDR, shown by DescribeNetworkInterfaces", async () => {
    const tasks = await harness.createGroup("web-tasks");
    const subnet = defaultSubnet("us-east-1b");
    const allocated = allocate({ subnetId: subnet.subnetId, groupIds: [tasks] });
    expect(allocated).toEqual({
      networkInterfaceId: expect.stringMatching(/^eni-[0-9a-f]{17}$/),
      privateIpAddress: expect.stringMatching(/^172\.31\.(1[6-9]|2\d|3[01])\.\d+$/),
      subnetId: subnet.subnetId,
      vpcId: subnet.vpcId,
      availabilityZone: "us-east-1b",
    });
    const { NetworkInterfaces } = await harness.ec2.send(new DescribeNetworkInterfacesCommand({}));
    expect(NetworkInterfaces).toEqual([
      expect.objectContaining({
        NetworkInterfaceId: allocated.networkInterfaceId,
        Status: "in-use",
        InterfaceType: "interface",
        PrivateIpAddress: allocated.privateIpAddress,
        SubnetId: subnet.subnetId,
        VpcId: subnet.vpcId,
        AvailabilityZone: "us-east-1b",
        Groups: [{ GroupId: tasks, GroupName: "web-tasks" }],
        RequesterId: "arn:aws:ecs:us-east-1:000000000000:task/demo/0f1e2d3c",
        RequesterManaged: true,
        Description: "arn:aws:ecs:us-east-1:000000000000:attachment/0f1e2d3c",
        OwnerId: "000000000000",
        Attachment: expect.objectContaining({
          Status: "attached",
          AttachTime: new Date(harness.emulator.world.time),
        }),
      }),
    ]);
  });

  it("never hands out an address twice while it is in use, nor a reserved one", () => {
    const custom = addVpc(harness.emulator.world, "us-east-1", {
      cidrBlock: "10.0.0.0/16",
      subnets: [{ availabilityZone: "us-east-1a", cidrBlock: "10.0.0.0/28" }],
    });
    const subnetId = custom.subnets[0]?.subnetId ?? "";
    const block = parseIpv4Block("10.0.0.0/28");
    const addresses = Array.from({ length: 11 }, () => allocate({ subnetId, groupIds: [] }).privateIpAddress);
    expect(new Set(addresses).size).toBe(11);
    for (const address of addresses) {
      const offset = (parseIpv4(address) ?? 0) - (block?.network ?? 0);
      expect(offset).toBeGreaterThanOrEqual(4);
      expect(offset).toBeLessThanOrEqual(14);
    }
    expect(() => allocate({ subnetId, groupIds: [] })).toThrow(
      expect.objectContaining({ code: "InsufficientFreeAddressesInSubnet" }),
    );
  });

  it("throws InvalidSubnetID.NotFound and InvalidGroup.NotFound as AwsErrors, allocating nothing", () => {
    const attempt = (request: Partial<InterfaceRequest> & { groupIds: string[] }) => {
      try {
        allocate(request);
      } catch (error) {
        return error instanceof AwsError ? error.code : error;
      }
      return "allocated";
    };
    expect(attempt({ subnetId: "subnet-0123456789abcdef0", groupIds: [] })).toBe("InvalidSubnetID.NotFound");
    expect(attempt({ groupIds: ["sg-0123456789abcdef0"] })).toBe("InvalidGroup.NotFound");
    expect(harness.state().networkInterfaces.size).toBe(0);
  });
});

describe("DependencyViolation from a network interface", () => {
  it("keeps a group while an ENI is in it, and frees it once the ENI is released", async () => {
    const tasks = await harness.createGroup("web-tasks");
    const eni = allocate({ groupIds: [tasks] });
    await expectEc2Error(
      harness.ec2.send(new DeleteSecurityGroupCommand({ GroupId: tasks })),
      "DependencyViolation",
    );
    releaseNetworkInterface(region(), eni.networkInterfaceId);
    releaseNetworkInterface(region(), eni.networkInterfaceId);
    await harness.ec2.send(new DeleteSecurityGroupCommand({ GroupId: tasks }));
    expect(harness.state().securityGroups.has(tasks)).toBe(false);
    expect((await harness.ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces).toEqual([]);
  });

  it("holds for load balancer ENIs too", async () => {
    const alb = await harness.createGroup("web-alb");
    allocate({
      groupIds: [alb],
      interfaceType: "load_balancer",
      description: "ELB app/web/50dc6c495c0c9188",
      requesterId: "amazon-elb",
    });
    await expectEc2Error(
      harness.ec2.send(new DeleteSecurityGroupCommand({ GroupId: alb })),
      "DependencyViolation",
    );
  });
});

describe("DescribeNetworkInterfaces", () => {
  it("filters by group-id, subnet-id, vpc-id, description, requester-id, status and address", async () => {
    const alb = await harness.createGroup("web-alb");
    const tasks = await harness.createGroup("web-tasks");
    const task = allocate({ groupIds: [tasks] });
    const node = allocate({
      subnetId: defaultSubnet("us-east-1c").subnetId,
      groupIds: [alb],
      interfaceType: "load_balancer",
      description: "ELB app/web/50dc6c495c0c9188",
      requesterId: "amazon-elb",
    });
    const ids = async (filters: Record<string, string[]>) =>
      (
        await harness.ec2.send(
          new DescribeNetworkInterfacesCommand({
            Filters: Object.entries(filters).map(([Name, Values]) => ({ Name, Values })),
          }),
        )
      ).NetworkInterfaces?.map((eni) => eni.NetworkInterfaceId).sort();
    expect(await ids({ "group-id": [tasks] })).toEqual([task.networkInterfaceId]);
    expect(await ids({ "subnet-id": [node.subnetId] })).toEqual([node.networkInterfaceId]);
    expect(await ids({ "vpc-id": [task.vpcId], status: ["in-use"] })).toEqual(
      [task.networkInterfaceId, node.networkInterfaceId].sort(),
    );
    expect(await ids({ description: ["ELB app/web/*"] })).toEqual([node.networkInterfaceId]);
    expect(await ids({ "requester-id": ["amazon-elb"] })).toEqual([node.networkInterfaceId]);
    expect(await ids({ "addresses.private-ip-address": [task.privateIpAddress] })).toEqual([
      task.networkInterfaceId,
    ]);
    expect(await ids({ "network-interface-id": [node.networkInterfaceId] })).toEqual([
      node.networkInterfaceId,
    ]);
    expect(await ids({ status: ["available"] })).toEqual([]);
  });

  it("raises InvalidNetworkInterfaceID.NotFound for an unknown id, and pages", async () => {
    await expectEc2Error(
      harness.ec2.send(
        new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ["eni-0123456789abcdef0"] }),
      ),
      "InvalidNetworkInterfaceID.NotFound",
    );
    for (let index = 0; index < 6; index++) allocate({ groupIds: [] });
    const first = await harness.ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 5 }));
    const second = await harness.ec2.send(
      new DescribeNetworkInterfacesCommand({ MaxResults: 5, NextToken: first.NextToken }),
    );
    expect([first.NetworkInterfaces?.length, second.NetworkInterfaces?.length, second.NextToken]).toEqual([
      5,
      1,
      undefined,
    ]);
  });
});

describe("findSubnet and findSecurityGroup", () => {
  it("answer facts for known ids and undefined for unknown ones", async () => {
    const subnet = defaultSubnet();
    expect(findSubnet(region(), subnet.subnetId)).toEqual({
      subnetId: subnet.subnetId,
      vpcId: subnet.vpcId,
      availabilityZone: "us-east-1a",
      cidrBlock: "172.31.0.0/20",
      defaultForAz: true,
    });
    expect(findSubnet(region(), "subnet-0123456789abcdef0")).toBeUndefined();
    const groupId = await harness.createGroup("web");
    expect(findSecurityGroup(region(), groupId)).toEqual({ groupId, vpcId: subnet.vpcId });
    expect(findSecurityGroup(region(), "sg-0123456789abcdef0")).toBeUndefined();
  });
});
