import {
  DeleteListenerCommand,
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  InvalidTargetException,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
  TargetGroupNotFoundException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../../server.ts";
import { startTestEmulator, type TestClients } from "../../test-clients.ts";
import { addVpc } from "../ec2/control.ts";
import { activateLoadBalancer } from "./control.ts";
import { type ProbeResult, useTargetProber } from "./health-checks.ts";
import { deregisterTarget, findTargetGroup, registerTarget, targetStateOf } from "./internal.ts";
import {
  createAlb,
  createListener,
  createTargetGroup,
  type DefaultNetwork,
  defaultNetwork,
} from "./test-fixtures.ts";

let emulator: Emulator;
let clients: TestClients;
let network: DefaultNetwork;

/** What each `ip:port/path` answers; anything else fails its health checks (nothing listens there). */
let answers: Map<string, ProbeResult>;

beforeEach(async () => {
  if (!emulator) ({ emulator, clients } = await startTestEmulator());
  emulator.reset();
  network = await defaultNetwork(clients);
  answers = new Map();
  useTargetProber((_world, _region, ip, port, path) => answers.get(`${ip}:${port}${path}`) ?? false);
});
afterEach(() => useTargetProber(undefined));
afterAll(async () => {
  await emulator?.close();
});

const region = () => emulator.world.region("us-east-1");

/** A target group with quick health checks (every 10 s, 3 to turn healthy, 2 to turn unhealthy). */
async function quickGroup(overrides = {}) {
  return (
    await createTargetGroup(clients, network, {
      HealthCheckPath: "/health",
      HealthCheckIntervalSeconds: 10,
      HealthyThresholdCount: 3,
      UnhealthyThresholdCount: 2,
      ...overrides,
    })
  ).TargetGroupArn;
}

/** An active ALB with a listener forwarding to the group. */
async function serve(targetGroupArn: string) {
  const { LoadBalancerArn } = await createAlb(clients, network);
  const listener = await createListener(clients, LoadBalancerArn, targetGroupArn);
  activateLoadBalancer(region(), "web");
  return listener.ListenerArn;
}

async function healthOf(targetGroupArn: string) {
  const { TargetHealthDescriptions = [] } = await clients.elbv2.send(
    new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
  );
  return TargetHealthDescriptions;
}

const stateOf = async (targetGroupArn: string) => (await healthOf(targetGroupArn))[0]?.TargetHealth;

describe("RegisterTargets and DescribeTargetHealth", () => {
  it("reports targets of a group no load balancer uses as unused (Target.NotInUse)", async () => {
    const targetGroupArn = await quickGroup();
    await clients.elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: [{ Id: "172.31.0.10" }] }),
    );
    expect(await healthOf(targetGroupArn)).toEqual([
      {
        Target: { Id: "172.31.0.10", Port: 8080 },
        HealthCheckPort: "8080",
        TargetHealth: {
          State: "unused",
          Reason: "Target.NotInUse",
          Description: "Target group is not configured to receive traffic from the load balancer",
        },
      },
    ]);
  });

  it("reports a target that is not registered as unused (Target.NotRegistered)", async () => {
    const targetGroupArn = await quickGroup();
    const { TargetHealthDescriptions } = await clients.elbv2.send(
      new DescribeTargetHealthCommand({
        TargetGroupArn: targetGroupArn,
        Targets: [{ Id: "172.31.0.99", Port: 80 }],
      }),
    );
    expect(TargetHealthDescriptions?.[0]?.TargetHealth).toMatchObject({
      State: "unused",
      Reason: "Target.NotRegistered",
    });
  });

  it("keeps a target initial (Elb.RegistrationInProgress) while the load balancer provisions", async () => {
    const targetGroupArn = await quickGroup();
    const { LoadBalancerArn } = await createAlb(clients, network);
    await createListener(clients, LoadBalancerArn, targetGroupArn);
    answers.set("172.31.0.10:8080/health", true);
    await clients.elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: [{ Id: "172.31.0.10" }] }),
    );
    emulator.advance(60_000);
    expect(await stateOf(targetGroupArn)).toMatchObject({
      State: "initial",
      Reason: "Elb.RegistrationInProgress",
    });
    emulator.advance(emulator.world.timings.loadBalancerProvisioningMs);
    expect(await stateOf(targetGroupArn)).toEqual({ State: "healthy" });
  });

  it("accepts an IP of the target group's own VPC even outside the private ranges", async () => {
    const { vpc } = addVpc(emulator.world, "us-east-1", { cidrBlock: "127.40.0.0/16", subnets: [] });
    const targetGroupArn = (
      await createTargetGroup(clients, { ...network, vpcId: vpc.vpcId }, { Name: "loopback" })
    ).TargetGroupArn;
    const register = (id: string) =>
      clients.elbv2.send(
        new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: [{ Id: id }] }),
      );
    await register("127.40.0.5");
    await expect(register("127.41.0.5")).rejects.toBeInstanceOf(InvalidTargetException);
    expect((await healthOf(targetGroupArn)).map((target) => target.Target?.Id)).toEqual(["127.40.0.5"]);
  });

  it("refuses instance targets (no EC2 instance runs), malformed and public IPs, and unknown groups", async () => {
    const instanceGroup = (
      await createTargetGroup(clients, network, { Name: "instances", TargetType: "instance" })
    ).TargetGroupArn;
    await expect(
      clients.elbv2.send(
        new RegisterTargetsCommand({ TargetGroupArn: instanceGroup, Targets: [{ Id: "i-0abc" }] }),
      ),
    ).rejects.toBeInstanceOf(InvalidTargetException);
    const targetGroupArn = await quickGroup();
    const register = (id: string) =>
      clients.elbv2.send(
        new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: [{ Id: id }] }),
      );
    await expect(register("8.8.8.8")).rejects.toBeInstanceOf(InvalidTargetException);
    await expect(register("not-an-ip")).rejects.toMatchObject({ name: "ValidationError" });
    expect(await healthOf(targetGroupArn)).toEqual([]);
    await expect(
      clients.elbv2.send(
        new RegisterTargetsCommand({
          TargetGroupArn: targetGroupArn.replace("/web-tg/", "/gone/"),
          Targets: [{ Id: "172.31.0.10" }],
        }),
      ),
    ).rejects.toBeInstanceOf(TargetGroupNotFoundException);
  });
});

describe("health checks", () => {
  it("turn a target healthy after the healthy threshold of passing checks at the interval", async () => {
    const targetGroupArn = await quickGroup();
    await serve(targetGroupArn);
    answers.set("172.31.0.10:8080/health", true);
    await clients.elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: [{ Id: "172.31.0.10" }] }),
    );
    expect(await stateOf(targetGroupArn)).toMatchObject({
      State: "initial",
      Reason: "Elb.RegistrationInProgress",
    });
    emulator.advance(1000); // the first check
    expect(await stateOf(targetGroupArn)).toMatchObject({
      State: "initial",
      Reason: "Elb.InitialHealthChecking",
    });
    emulator.advance(19_000); // the third check is due at 20 s after the first
    expect(await stateOf(targetGroupArn)).toMatchObject({ State: "initial" });
    emulator.advance(1000);
    expect(await stateOf(targetGroupArn)).toEqual({ State: "healthy" });
  });

  it("check the health-check port and path when they are set", async () => {
    const targetGroupArn = await quickGroup({ HealthCheckPort: "9000", HealthCheckPath: "/ready" });
    await serve(targetGroupArn);
    answers.set("172.31.0.10:9000/ready", true);
    await clients.elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: [{ Id: "172.31.0.10" }] }),
    );
    emulator.advance(30_000);
    expect(await healthOf(targetGroupArn)).toMatchObject([
      { HealthCheckPort: "9000", TargetHealth: { State: "healthy" } },
    ]);
  });

  it("turn a target unhealthy after the unhealthy threshold of failures, and healthy again", async () => {
    const targetGroupArn = await quickGroup();
    await serve(targetGroupArn);
    const address = "172.31.0.10:8080/health";
    answers.set(address, true);
    await clients.elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: [{ Id: "172.31.0.10" }] }),
    );
    emulator.advance(30_000);
    expect(await stateOf(targetGroupArn)).toEqual({ State: "healthy" });

    answers.set(address, {
      reason: "Target.ResponseCodeMismatch",
      description: "Health checks failed with these codes: [503]",
    });
    emulator.advance(10_000); // one failure: below the threshold
    expect(await stateOf(targetGroupArn)).toEqual({ State: "healthy" });
    emulator.advance(10_000);
    expect(await stateOf(targetGroupArn)).toEqual({
      State: "unhealthy",
      Reason: "Target.ResponseCodeMismatch",
      Description: "Health checks failed with these codes: [503]",
    });

    answers.set(address, true);
    emulator.advance(20_000); // two passes: below the threshold of three
    expect(await stateOf(targetGroupArn)).toMatchObject({ State: "unhealthy" });
    emulator.advance(10_000);
    expect(await stateOf(targetGroupArn)).toEqual({ State: "healthy" });
  });

  it("report nothing listening as Target.FailedHealthChecks", async () => {
    const targetGroupArn = await quickGroup();
    await serve(targetGroupArn);
    await clients.elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: [{ Id: "172.31.0.10" }] }),
    );
    emulator.advance(15_000);
    expect(await stateOf(targetGroupArn)).toMatchObject({
      State: "unhealthy",
      Reason: "Target.FailedHealthChecks",
    });
  });

  it("stop when the listener goes: targets become unused, and start over when one returns", async () => {
    const targetGroupArn = await quickGroup();
    const listenerArn = await serve(targetGroupArn);
    answers.set("172.31.0.10:8080/health", true);
    await clients.elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: [{ Id: "172.31.0.10" }] }),
    );
    emulator.advance(30_000);
    await clients.elbv2.send(new DeleteListenerCommand({ ListenerArn: listenerArn }));
    emulator.advance(1000);
    expect(await stateOf(targetGroupArn)).toMatchObject({ State: "unused", Reason: "Target.NotInUse" });
    const loadBalancerArn = region().elbv2.loadBalancers.values().next().value?.arn ?? "";
    await createListener(clients, loadBalancerArn, targetGroupArn);
    expect(await stateOf(targetGroupArn)).toMatchObject({ State: "initial" });
  });
});

describe("DeregisterTargets", () => {
  it("drains a target for the deregistration delay, then it is gone", async () => {
    const targetGroupArn = await quickGroup();
    await serve(targetGroupArn);
    await clients.elbv2.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: targetGroupArn,
        Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "30" }],
      }),
    );
    answers.set("172.31.0.10:8080/health", true);
    const targets = [{ Id: "172.31.0.10", Port: 8080 }];
    await clients.elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: targets }),
    );
    emulator.advance(30_000);
    await clients.elbv2.send(
      new DeregisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: targets }),
    );
    expect(await stateOf(targetGroupArn)).toEqual({
      State: "draining",
      Reason: "Target.DeregistrationInProgress",
      Description: "Target deregistration is in progress",
    });
    emulator.advance(29_000);
    expect(await stateOf(targetGroupArn)).toMatchObject({ State: "draining" });
    emulator.advance(1000);
    expect(await healthOf(targetGroupArn)).toEqual([]);
  });

  it("ignores targets that are not registered (another port is another target)", async () => {
    const targetGroupArn = await quickGroup();
    await clients.elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: targetGroupArn,
        Targets: [{ Id: "172.31.0.10", Port: 9000 }],
      }),
    );
    await clients.elbv2.send(
      new DeregisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: [{ Id: "172.31.0.10" }] }),
    );
    expect(await stateOf(targetGroupArn)).toMatchObject({ State: "unused", Reason: "Target.NotInUse" });
  });
});

describe("the internal contract the ECS scheduler uses", () => {
  it("registers, reads and deregisters targets, and describes the group", async () => {
    const targetGroupArn = await quickGroup();
    await serve(targetGroupArn);
    answers.set("172.31.0.20:8080/health", true);
    registerTarget(region(), targetGroupArn, "172.31.0.20", 8080, emulator.world.time);
    registerTarget(region(), targetGroupArn, "172.31.0.20", 8080, emulator.world.time);
    expect(targetStateOf(region(), targetGroupArn, "172.31.0.20", 8080)).toBe("initial");
    emulator.advance(30_000);
    expect(targetStateOf(region(), targetGroupArn, "172.31.0.20", 8080)).toBe("healthy");
    expect(await healthOf(targetGroupArn)).toHaveLength(1);

    expect(findTargetGroup(region(), targetGroupArn)).toEqual({
      arn: targetGroupArn,
      name: "web-tg",
      port: 8080,
      vpcId: network.vpcId,
      targetType: "ip",
      loadBalancerArns: [region().elbv2.loadBalancers.values().next().value?.arn],
      deregistrationDelaySeconds: 300,
      healthCheck: {
        path: "/health",
        port: "traffic-port",
        intervalSeconds: 10,
        timeoutSeconds: 5,
        healthyThreshold: 3,
        unhealthyThreshold: 2,
        matcher: "200",
      },
    });

    deregisterTarget(region(), targetGroupArn, "172.31.0.20", 8080, emulator.world.time);
    deregisterTarget(region(), targetGroupArn, "172.31.0.99", 8080, emulator.world.time);
    expect(targetStateOf(region(), targetGroupArn, "172.31.0.20", 8080)).toBe("draining");
    emulator.advance(300_000);
    expect(targetStateOf(region(), targetGroupArn, "172.31.0.20", 8080)).toBeUndefined();
    expect(findTargetGroup(region(), targetGroupArn.replace("/web-tg/", "/gone/"))).toBeUndefined();
    expect(() =>
      registerTarget(region(), targetGroupArn.replace("/web-tg/", "/gone/"), "172.31.0.20", 80, 0),
    ).toThrow("One or more target groups not found");
  });
});

describe("control routes", () => {
  it("activate a load balancer and report target health over HTTP", async () => {
    const targetGroupArn = await quickGroup();
    const { LoadBalancerArn } = await createAlb(clients, network);
    await createListener(clients, LoadBalancerArn, targetGroupArn);
    registerTarget(region(), targetGroupArn, "172.31.0.10", 8080, emulator.world.time);
    const activated = await fetch(`${emulator.url}/_emulator/elbv2/load-balancers/web/activate`, {
      method: "POST",
    });
    expect(await activated.json()).toMatchObject({ LoadBalancerArn, State: { Code: "active" } });
    const missing = await fetch(`${emulator.url}/_emulator/elbv2/load-balancers/nope/activate`, {
      method: "POST",
    });
    expect(missing.status).toBe(404);
    const report = await fetch(
      `${emulator.url}/_emulator/elbv2/target-health?targetGroupArn=${encodeURIComponent(targetGroupArn)}`,
    );
    expect(await report.json()).toMatchObject({
      targets: [{ id: "172.31.0.10", port: 8080, State: "initial", Reason: "Elb.RegistrationInProgress" }],
    });
  });
});
