import {
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DuplicateTargetGroupNameException,
  LoadBalancerNotFoundException,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  ResourceInUseException,
  TargetGroupNotFoundException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../../server.ts";
import { startTestEmulator, type TestClients } from "../../test-clients.ts";
import {
  attributeMap,
  createAlb,
  createListener,
  createTargetGroup,
  type DefaultNetwork,
  defaultNetwork,
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

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "no error",
    (error: Error) => error.name,
  );

const describeGroups = async (input = {}) =>
  (await clients.elbv2.send(new DescribeTargetGroupsCommand(input))).TargetGroups ?? [];

describe("CreateTargetGroup", () => {
  it("fills AWS's defaults: instance targets, HTTP health checks every 30 s, 5 healthy / 2 unhealthy", async () => {
    const group = await createTargetGroup(clients, network, { TargetType: undefined });
    expect(group).toEqual({
      TargetGroupArn: expect.stringMatching(
        /^arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup\/web-tg\/[0-9a-f]{16}$/,
      ),
      TargetGroupName: "web-tg",
      Protocol: "HTTP",
      Port: 8080,
      VpcId: network.vpcId,
      HealthCheckProtocol: "HTTP",
      HealthCheckPort: "traffic-port",
      HealthCheckEnabled: true,
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 5,
      UnhealthyThresholdCount: 2,
      HealthCheckPath: "/",
      Matcher: { HttpCode: "200" },
      LoadBalancerArns: [],
      TargetType: "instance",
      ProtocolVersion: "HTTP1",
      IpAddressType: "ipv4",
    });
  });

  it("is idempotent for identical settings", async () => {
    const first = await createTargetGroup(clients, network, { HealthCheckPath: "/health" });
    const again = await createTargetGroup(clients, network, { HealthCheckPath: "/health" });
    expect(again.TargetGroupArn).toBe(first.TargetGroupArn);
    expect(await describeGroups()).toHaveLength(1);
  });

  it.each([
    ["another port", { Port: 9090 }],
    ["another protocol", { Protocol: "HTTPS" as const }],
    ["another target type", { TargetType: "instance" as const }],
    ["another protocol version", { ProtocolVersion: "HTTP2" }],
    ["another IP address type", { IpAddressType: "ipv6" as const }],
    ["other health checks", { HealthCheckPath: "/health" }],
  ])(
    "is DuplicateTargetGroupName for the same name with %s (immutable: replace it)",
    async (_reason, change) => {
      await createTargetGroup(clients, network);
      await expect(createTargetGroup(clients, network, change)).rejects.toBeInstanceOf(
        DuplicateTargetGroupNameException,
      );
      expect((await describeGroups()).map((group) => [group.Port, group.Protocol])).toEqual([[8080, "HTTP"]]);
    },
  );

  it.each([
    ["a name with an underscore", { Name: "web_tg" }],
    ["a name longer than 32 characters", { Name: "t".repeat(33) }],
    ["no VPC", { VpcId: undefined }],
    ["no port", { Port: undefined }],
    ["a port out of range", { Port: 70000 }],
    ["a health check interval below 5 s", { HealthCheckIntervalSeconds: 4 }],
    [
      "a timeout not smaller than the interval",
      { HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 10 },
    ],
    ["a healthy threshold above 10", { HealthyThresholdCount: 11 }],
    ["a matcher outside 200-499", { Matcher: { HttpCode: "500" } }],
    ["disabled health checks for ip targets", { HealthCheckEnabled: false }],
  ])("refuses %s (ValidationError)", async (_reason, change) => {
    expect(await errorOf(createTargetGroup(clients, network, change))).toBe("ValidationError");
    expect(await describeGroups()).toEqual([]);
  });
});

describe("ModifyTargetGroup", () => {
  it("changes health checks only, and reads them back", async () => {
    const { TargetGroupArn } = await createTargetGroup(clients, network);
    const { TargetGroups } = await clients.elbv2.send(
      new ModifyTargetGroupCommand({
        TargetGroupArn,
        HealthCheckPath: "/health",
        HealthCheckIntervalSeconds: 10,
        HealthCheckTimeoutSeconds: 6,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 3,
        Matcher: { HttpCode: "200-299" },
      }),
    );
    expect(TargetGroups?.[0]).toMatchObject({
      Port: 8080,
      HealthCheckPath: "/health",
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 6,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
      Matcher: { HttpCode: "200-299" },
    });
    expect((await describeGroups())[0]).toEqual(TargetGroups?.[0]);
  });

  it("refuses invalid settings as a whole", async () => {
    const { TargetGroupArn } = await createTargetGroup(clients, network);
    const attempt = clients.elbv2.send(
      new ModifyTargetGroupCommand({
        TargetGroupArn,
        HealthCheckPath: "/health",
        HealthCheckTimeoutSeconds: 60,
      }),
    );
    expect(await errorOf(attempt)).toBe("ValidationError");
    expect((await describeGroups())[0]).toMatchObject({ HealthCheckPath: "/", HealthCheckTimeoutSeconds: 5 });
  });

  it("is TargetGroupNotFound for an unknown group", async () => {
    const { TargetGroupArn } = await createTargetGroup(clients, network);
    await clients.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn }));
    await expect(
      clients.elbv2.send(new ModifyTargetGroupCommand({ TargetGroupArn, HealthCheckPath: "/x" })),
    ).rejects.toBeInstanceOf(TargetGroupNotFoundException);
  });
});

describe("DescribeTargetGroups", () => {
  it("filters by load balancer, names and ARNs; unknown ones are not-found errors", async () => {
    const { LoadBalancerArn } = await createAlb(clients, network);
    const web = await createTargetGroup(clients, network);
    const api = await createTargetGroup(clients, network, { Name: "api-tg" });
    await createListener(clients, LoadBalancerArn, web.TargetGroupArn);
    const names = async (input: object) =>
      (await describeGroups(input)).map((group) => group.TargetGroupName);
    expect(await names({ LoadBalancerArn })).toEqual(["web-tg"]);
    expect(await names({ Names: ["api-tg"] })).toEqual(["api-tg"]);
    expect(await names({ TargetGroupArns: [api.TargetGroupArn, web.TargetGroupArn] })).toEqual([
      "api-tg",
      "web-tg",
    ]);
    expect((await describeGroups({ Names: ["web-tg"] }))[0]?.LoadBalancerArns).toEqual([LoadBalancerArn]);
    await expect(describeGroups({ Names: ["web-tg", "missing"] })).rejects.toBeInstanceOf(
      TargetGroupNotFoundException,
    );
    await clients.elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn }));
    await expect(describeGroups({ LoadBalancerArn })).rejects.toBeInstanceOf(LoadBalancerNotFoundException);
  });

  it("takes at most 20 names and pages with Marker", async () => {
    expect(
      await errorOf(describeGroups({ Names: Array.from({ length: 21 }, (_, index) => `tg-${index}`) })),
    ).toBe("ValidationError");
    for (const name of ["a", "b", "c"]) await createTargetGroup(clients, network, { Name: name });
    const first = await clients.elbv2.send(new DescribeTargetGroupsCommand({ PageSize: 2 }));
    const second = await clients.elbv2.send(
      new DescribeTargetGroupsCommand({ PageSize: 2, Marker: first.NextMarker }),
    );
    expect(
      [...(first.TargetGroups ?? []), ...(second.TargetGroups ?? [])].map((group) => group.TargetGroupName),
    ).toEqual(["a", "b", "c"]);
    expect(second.NextMarker).toBeUndefined();
  });
});

describe("DeleteTargetGroup", () => {
  it("is ResourceInUse while a listener forwards to the group, deletable once it is gone", async () => {
    const { LoadBalancerArn } = await createAlb(clients, network);
    const { TargetGroupArn } = await createTargetGroup(clients, network);
    const { ListenerArn } = await createListener(clients, LoadBalancerArn, TargetGroupArn);
    await expect(clients.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn }))).rejects.toBeInstanceOf(
      ResourceInUseException,
    );
    expect(await describeGroups()).toHaveLength(1);
    await clients.elbv2.send(new DeleteListenerCommand({ ListenerArn }));
    await clients.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn }));
    expect(await describeGroups()).toEqual([]);
    // Already gone: still a success.
    await clients.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn }));
  });
});

describe("target group attributes", () => {
  it("reads back AWS's defaults as strings and changes the deregistration delay within 0-3600", async () => {
    const { TargetGroupArn } = await createTargetGroup(clients, network);
    const read = async () =>
      attributeMap(
        (await clients.elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn }))).Attributes,
      );
    expect(await read()).toMatchObject({
      "deregistration_delay.timeout_seconds": "300",
      "stickiness.enabled": "false",
      "stickiness.type": "lb_cookie",
      "load_balancing.algorithm.type": "round_robin",
      "slow_start.duration_seconds": "0",
    });
    const modified = await clients.elbv2.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn,
        Attributes: [
          { Key: "deregistration_delay.timeout_seconds", Value: "30" },
          { Key: "stickiness.enabled", Value: "true" },
        ],
      }),
    );
    expect(modified.Attributes).toContainEqual({ Key: "deregistration_delay.timeout_seconds", Value: "30" });
    expect(await read()).toMatchObject({
      "deregistration_delay.timeout_seconds": "30",
      "stickiness.enabled": "true",
    });
    for (const [key, value] of [
      ["deregistration_delay.timeout_seconds", "3601"],
      ["slow_start.duration_seconds", "10"],
      ["load_balancing.algorithm.type", "random"],
      ["no.such.attribute", "1"],
    ] as const) {
      const attempt = clients.elbv2.send(
        new ModifyTargetGroupAttributesCommand({ TargetGroupArn, Attributes: [{ Key: key, Value: value }] }),
      );
      expect(await errorOf(attempt), `${key}=${value}`).toBe("ValidationError");
    }
    expect((await read())["deregistration_delay.timeout_seconds"]).toBe("30");
  });
});
