import { DeleteSecurityGroupCommand, DescribeNetworkInterfacesCommand } from "@aws-sdk/client-ec2";
import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DuplicateLoadBalancerNameException,
  InvalidConfigurationRequestException,
  InvalidSecurityGroupException,
  LoadBalancerNotFoundException,
  ModifyLoadBalancerAttributesCommand,
  OperationNotPermittedException,
  SubnetNotFoundException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../../server.ts";
import { startTestEmulator, type TestClients } from "../../test-clients.ts";
import { activateLoadBalancer } from "./control.ts";
import {
  attributeMap,
  createAlb,
  createGroup,
  createListener,
  createTargetGroup,
  type DefaultNetwork,
  defaultNetwork,
  seedSubnetBesideFirst,
} from "./test-fixtures.ts";

let emulator: Emulator;
let clients: TestClients;
let network: DefaultNetwork;

beforeEach(async () => {
  if (!emulator) ({ emulator, clients } = await startTestEmulator());
  emulator.reset();
  network = await defaultNetwork(clients);
});
afterAll(async () => {
  await emulator?.close();
});

const describeAll = async () =>
  (await clients.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];

/** The error code a rejected call carries (the SDK's exception name for modelled errors). */
const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "no error",
    (error: Error) => error.name,
  );

describe("CreateLoadBalancer", () => {
  it("creates an ALB in provisioning that becomes active after the provisioning time", async () => {
    const groupId = await createGroup(clients, network);
    const created = await createAlb(clients, network, { SecurityGroups: [groupId] });
    expect(created).toMatchObject({
      LoadBalancerName: "web",
      Scheme: "internet-facing",
      Type: "application",
      VpcId: network.vpcId,
      IpAddressType: "ipv4",
      State: { Code: "provisioning" },
      SecurityGroups: [groupId],
      CanonicalHostedZoneId: "Z35SXDOTRQ7X7K",
      CreatedTime: new Date(emulator.world.time),
    });
    expect(created.LoadBalancerArn).toMatch(
      /^arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer\/app\/web\/[0-9a-f]{16}$/,
    );
    expect(created.DNSName).toMatch(/^web-\d+\.us-east-1\.elb\.amazonaws\.com$/);
    expect(created.AvailabilityZones).toEqual([
      { ZoneName: "us-east-1a", SubnetId: network.subnetIds[0], LoadBalancerAddresses: [] },
      { ZoneName: "us-east-1b", SubnetId: network.subnetIds[1], LoadBalancerAddresses: [] },
    ]);

    emulator.advance(emulator.world.timings.loadBalancerProvisioningMs - 1000);
    expect((await describeAll())[0]?.State).toEqual({ Code: "provisioning" });
    emulator.advance(1000);
    expect((await describeAll())[0]?.State).toEqual({ Code: "active" });
  });

  it("can be activated at once through the control function", async () => {
    await createAlb(clients, network);
    activateLoadBalancer(emulator.world.region("us-east-1"), "web");
    expect((await describeAll())[0]?.State).toEqual({ Code: "active" });
  });

  it("allocates one load_balancer ENI per subnet in the ALB's groups, released on delete", async () => {
    const groupId = await createGroup(clients, network);
    const { LoadBalancerArn } = await createAlb(clients, network, { SecurityGroups: [groupId] });
    const id = LoadBalancerArn.split("/").at(-1);
    const { NetworkInterfaces = [] } = await clients.ec2.send(new DescribeNetworkInterfacesCommand({}));
    expect(NetworkInterfaces.map((eni) => [eni.SubnetId, eni.InterfaceType, eni.Description])).toEqual([
      [network.subnetIds[0], "load_balancer", `ELB app/web/${id}`],
      [network.subnetIds[1], "load_balancer", `ELB app/web/${id}`],
    ]);
    expect(NetworkInterfaces.map((eni) => eni.Groups?.map((group) => group.GroupId))).toEqual([
      [groupId],
      [groupId],
    ]);
    // The group is in use by the ALB's nodes until the ALB is gone.
    expect(await errorOf(clients.ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })))).toBe(
      "DependencyViolation",
    );
    await clients.elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn }));
    expect((await clients.ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces).toEqual([]);
    await clients.ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
  });

  it("needs subnets in at least two availability zones (ValidationError)", async () => {
    expect(await errorOf(createAlb(clients, network, { Subnets: network.subnetIds.slice(0, 1) }))).toBe(
      "ValidationError",
    );
    expect(await errorOf(createAlb(clients, network, { Subnets: [] }))).toBe("ValidationError");
    expect(await describeAll()).toEqual([]);
  });

  it("takes one subnet per availability zone (InvalidConfigurationRequest)", async () => {
    const sibling = seedSubnetBesideFirst(emulator, network);
    await expect(
      createAlb(clients, network, { Subnets: [...network.subnetIds.slice(0, 2), sibling] }),
    ).rejects.toBeInstanceOf(InvalidConfigurationRequestException);
    expect(await describeAll()).toEqual([]);
  });

  it("refuses unknown subnets (SubnetNotFound) and groups (InvalidSecurityGroup), allocating nothing", async () => {
    await expect(
      createAlb(clients, network, { Subnets: [network.subnetIds[0] ?? "", "subnet-0123456789abcdef0"] }),
    ).rejects.toBeInstanceOf(SubnetNotFoundException);
    await expect(
      createAlb(clients, network, { SecurityGroups: ["sg-0123456789abcdef0"] }),
    ).rejects.toBeInstanceOf(InvalidSecurityGroupException);
    expect(await describeAll()).toEqual([]);
    expect((await clients.ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces).toEqual([]);
  });

  it.each([
    ["longer than 32 characters", "a".repeat(33)],
    ["other characters than alphanumerics and hyphens", "web_alb"],
    ["a leading hyphen", "-web"],
    ["a trailing hyphen", "web-"],
    ["the internal- prefix, which internal DNS names use", "internal-web"],
  ])("refuses a name with %s", async (_reason, name) => {
    expect(await errorOf(createAlb(clients, network, { Name: name }))).toBe("ValidationError");
  });

  it("is idempotent for identical settings, DuplicateLoadBalancerName for different ones", async () => {
    const first = await createAlb(clients, network);
    const again = await createAlb(clients, network, {
      Subnets: [...network.subnetIds.slice(0, 2)].reverse(),
    });
    expect(again.LoadBalancerArn).toBe(first.LoadBalancerArn);
    await expect(
      createAlb(clients, network, { Subnets: network.subnetIds.slice(1, 3) }),
    ).rejects.toBeInstanceOf(DuplicateLoadBalancerNameException);
    await expect(createAlb(clients, network, { Scheme: "internal" })).rejects.toBeInstanceOf(
      DuplicateLoadBalancerNameException,
    );
    expect((await describeAll()).map((loadBalancer) => loadBalancer.LoadBalancerArn)).toEqual([
      first.LoadBalancerArn,
    ]);
  });

  it("gives an internal load balancer an internal- DNS name", async () => {
    const created = await createAlb(clients, network, { Scheme: "internal" });
    expect(created.DNSName).toMatch(/^internal-web-\d+\.us-east-1\.elb\.amazonaws\.com$/);
  });

  it("serves application load balancers only", async () => {
    expect(await errorOf(createAlb(clients, network, { Type: "network" }))).toBe("ValidationError");
  });
});

describe("DescribeLoadBalancers", () => {
  it("finds by names or ARNs; an unknown one is LoadBalancerNotFound, not an empty list", async () => {
    const web = await createAlb(clients, network);
    const api = await createAlb(clients, network, { Name: "api" });
    const byName = await clients.elbv2.send(new DescribeLoadBalancersCommand({ Names: ["api", "web"] }));
    expect(byName.LoadBalancers?.map((loadBalancer) => loadBalancer.LoadBalancerArn)).toEqual([
      api.LoadBalancerArn,
      web.LoadBalancerArn,
    ]);
    const byArn = await clients.elbv2.send(
      new DescribeLoadBalancersCommand({ LoadBalancerArns: [web.LoadBalancerArn] }),
    );
    expect(byArn.LoadBalancers?.map((loadBalancer) => loadBalancer.LoadBalancerName)).toEqual(["web"]);
    await expect(
      clients.elbv2.send(new DescribeLoadBalancersCommand({ Names: ["web", "missing"] })),
    ).rejects.toBeInstanceOf(LoadBalancerNotFoundException);
    await expect(
      clients.elbv2.send(
        new DescribeLoadBalancersCommand({
          LoadBalancerArns: [web.LoadBalancerArn.replace("/web/", "/gone/")],
        }),
      ),
    ).rejects.toBeInstanceOf(LoadBalancerNotFoundException);
  });

  it("takes at most 20 names or ARNs and pages of at most 400", async () => {
    const names = Array.from({ length: 21 }, (_, index) => `lb-${index}`);
    expect(await errorOf(clients.elbv2.send(new DescribeLoadBalancersCommand({ Names: names })))).toBe(
      "ValidationError",
    );
    expect(await errorOf(clients.elbv2.send(new DescribeLoadBalancersCommand({ PageSize: 401 })))).toBe(
      "ValidationError",
    );
  });

  it("pages with Marker and NextMarker", async () => {
    for (const name of ["a", "b", "c"]) await createAlb(clients, network, { Name: name });
    const first = await clients.elbv2.send(new DescribeLoadBalancersCommand({ PageSize: 2 }));
    expect(first.LoadBalancers?.map((loadBalancer) => loadBalancer.LoadBalancerName)).toEqual(["a", "b"]);
    expect(first.NextMarker).toEqual(expect.any(String));
    const second = await clients.elbv2.send(
      new DescribeLoadBalancersCommand({ PageSize: 2, Marker: first.NextMarker }),
    );
    expect(second.LoadBalancers?.map((loadBalancer) => loadBalancer.LoadBalancerName)).toEqual(["c"]);
    expect(second.NextMarker).toBeUndefined();
    expect(
      await errorOf(clients.elbv2.send(new DescribeLoadBalancersCommand({ Marker: "not-a-marker" }))),
    ).toBe("ValidationError");
  });
});

describe("DeleteLoadBalancer", () => {
  it("takes the listeners with it, and deleting a missing load balancer succeeds", async () => {
    const { LoadBalancerArn } = await createAlb(clients, network);
    const { TargetGroupArn } = await createTargetGroup(clients, network);
    await createListener(clients, LoadBalancerArn, TargetGroupArn);
    await clients.elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn }));
    await clients.elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn }));
    expect(await describeAll()).toEqual([]);
    expect(emulator.world.region("us-east-1").elbv2.listeners.size).toBe(0);
    await expect(
      clients.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn })),
    ).rejects.toBeInstanceOf(LoadBalancerNotFoundException);
  });

  it("is refused while deletion protection is on", async () => {
    const { LoadBalancerArn } = await createAlb(clients, network);
    await clients.elbv2.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn,
        Attributes: [{ Key: "deletion_protection.enabled", Value: "true" }],
      }),
    );
    await expect(
      clients.elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn })),
    ).rejects.toBeInstanceOf(OperationNotPermittedException);
    expect(await describeAll()).toHaveLength(1);
  });
});

describe("load balancer attributes", () => {
  it("reads back AWS's defaults as strings and changes only what is asked", async () => {
    const { LoadBalancerArn } = await createAlb(clients, network);
    const read = async () =>
      attributeMap(
        (await clients.elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn }))).Attributes,
      );
    expect(await read()).toMatchObject({
      "deletion_protection.enabled": "false",
      "idle_timeout.timeout_seconds": "60",
      "routing.http2.enabled": "true",
      "load_balancing.cross_zone.enabled": "true",
      "access_logs.s3.bucket": "",
    });
    const modified = await clients.elbv2.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn,
        Attributes: [{ Key: "idle_timeout.timeout_seconds", Value: "120" }],
      }),
    );
    expect(modified.Attributes).toContainEqual({ Key: "idle_timeout.timeout_seconds", Value: "120" });
    expect((await read())["idle_timeout.timeout_seconds"]).toBe("120");
  });

  it.each([
    ["an unknown key", "no.such.attribute", "1"],
    ["a value out of range", "idle_timeout.timeout_seconds", "4001"],
    ["a non-boolean flag", "deletion_protection.enabled", "yes"],
  ])("refuses %s as a whole (ValidationError), changing nothing", async (_reason, key, value) => {
    const { LoadBalancerArn } = await createAlb(clients, network);
    const attempt = clients.elbv2.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn,
        Attributes: [
          { Key: "idle_timeout.timeout_seconds", Value: "30" },
          { Key: key, Value: value },
        ],
      }),
    );
    expect(await errorOf(attempt)).toBe("ValidationError");
    const { Attributes } = await clients.elbv2.send(
      new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn }),
    );
    expect(Attributes).toContainEqual({ Key: "idle_timeout.timeout_seconds", Value: "60" });
  });

  it("is LoadBalancerNotFound for an unknown load balancer", async () => {
    const { LoadBalancerArn } = await createAlb(clients, network);
    await clients.elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn }));
    await expect(
      clients.elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn })),
    ).rejects.toBeInstanceOf(LoadBalancerNotFoundException);
  });
});

it("answers CreateLoadBalancer without Name with a ValidationError", async () => {
  expect(
    await errorOf(
      clients.elbv2.send(new CreateLoadBalancerCommand({ Name: undefined as unknown as string })),
    ),
  ).toBe("ValidationError");
});
