import { DescribeScalableTargetsCommand } from "@aws-sdk/client-application-auto-scaling";
import { CreateLogGroupCommand, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { ListClustersCommand } from "@aws-sdk/client-ecs";
import { DescribeLoadBalancersCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../emulator/index.ts";
import { type AwsCall, instrumentClients, operationName } from "./call-metrics.ts";
import { type AwsClients, createAwsClients, destroyAwsClients } from "./clients.ts";

let emulator: Emulator | undefined;
let clients: AwsClients | undefined;

afterEach(async () => {
  destroyAwsClients(clients);
  await emulator?.close();
  clients = undefined;
  emulator = undefined;
});

async function setUp(
  maxAttempts: number,
): Promise<{ emulator: Emulator; clients: AwsClients; seen: AwsCall[] }> {
  emulator = await startEmulator({ port: 0 });
  clients = createAwsClients({ region: "us-east-1", endpoint: emulator.url, maxAttempts });
  const seen: AwsCall[] = [];
  instrumentClients(clients, (call) => seen.push(call));
  return { emulator, clients, seen };
}

/** One describe per service: every wire protocol the controller speaks (EC2 query, query/XML, JSON). */
function describeEach(aws: AwsClients): Promise<unknown>[] {
  return [
    aws.ec2.send(new DescribeVpcsCommand({})),
    aws.elbv2.send(new DescribeLoadBalancersCommand({})),
    aws.ecs.send(new ListClustersCommand({})),
    aws.autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" })),
    aws.logs.send(new DescribeLogGroupsCommand({})),
  ];
}

/** Attempts as `service:operation[:error]`, sorted: what the call log and the observer must agree on. */
const tally = (calls: readonly { service: string; operation: string; error?: string }[]) =>
  calls.map((call) => [call.service, call.operation, call.error ?? ""].join(":")).sort();

describe("instrumentClients", () => {
  it("reports every attempt, the SDK's retries included, exactly as the emulator served them", async () => {
    const { emulator, clients, seen } = await setUp(10);
    emulator.injectFaults({ seed: 1, rules: [{ service: "logs", throttleRate: 0.5 }] });

    // All at once, so the SDK's backoff delays overlap; seed 1 throttles 6 of the first 16 logs attempts.
    await Promise.all([
      ...describeEach(clients),
      ...Array.from({ length: 4 }, (_, index) =>
        clients.logs.send(new CreateLogGroupCommand({ logGroupName: `/metrics/${index}` })),
      ),
      ...Array.from({ length: 5 }, () => clients.logs.send(new DescribeLogGroupsCommand({}))),
    ]);

    const served = emulator.calls.calls();
    expect(tally(seen)).toEqual(tally(served));
    // 14 commands were sent; the extra attempts are the SDK's retries, and they are counted.
    expect(seen.length).toBeGreaterThan(14);
    const throttled = seen.filter((call) => call.throttled);
    expect(throttled.length).toBe(served.filter((call) => call.error === "ThrottlingException").length);
    expect(throttled.length).toBeGreaterThan(0);
    expect(seen.filter((call) => call.error !== undefined && !call.throttled)).toEqual([]);
    expect(new Set(seen.map((call) => call.service))).toEqual(
      new Set(["ec2", "elbv2", "ecs", "autoscaling", "logs"]),
    );
  });

  it("recognises each service's own throttling code", async () => {
    const { emulator, clients, seen } = await setUp(1);
    emulator.injectFaults({ rules: [{ throttleRate: 1 }] });

    const results = await Promise.allSettled(describeEach(clients));

    expect(results.every((result) => result.status === "rejected")).toBe(true);
    expect(tally(seen)).toEqual(tally(emulator.calls.calls()));
    expect(seen.every((call) => call.throttled)).toBe(true);
    expect(Object.fromEntries(seen.map((call) => [call.service, call.error]))).toEqual({
      ec2: "RequestLimitExceeded",
      elbv2: "Throttling",
      ecs: "ThrottlingException",
      autoscaling: "ThrottlingException",
      logs: "ThrottlingException",
    });
  });

  it("reports a failure that is not throttling with its code, and a dropped connection too", async () => {
    const { emulator, clients, seen } = await setUp(1);
    emulator.injectFaults({
      rules: [
        { service: "ecs", errorRate: 1 },
        { service: "logs", dropRate: 1 },
      ],
    });

    await expect(clients.ecs.send(new ListClustersCommand({}))).rejects.toThrow();
    await expect(clients.logs.send(new DescribeLogGroupsCommand({}))).rejects.toThrow();

    expect(seen).toHaveLength(2);
    expect(seen[0]).toEqual({
      service: "ecs",
      operation: "ListClusters",
      throttled: false,
      error: "InternalFailure",
    });
    // No AWS code: the network error's own.
    expect(seen[1]).toEqual({
      service: "logs",
      operation: "DescribeLogGroups",
      throttled: false,
      error: "ECONNRESET",
    });
  });

  it("never lets a failing observer fail a call, and counts once when instrumented twice", async () => {
    const { clients, seen } = await setUp(1);
    instrumentClients(clients, (call) => {
      seen.push(call);
      throw new Error("observer bug");
    });

    await expect(clients.ecs.send(new ListClustersCommand({}))).resolves.toBeDefined();

    expect(seen).toEqual([{ service: "ecs", operation: "ListClusters", throttled: false }]);
  });
});

describe("operationName", () => {
  it("drops the Command suffix", () => {
    expect(operationName({ commandName: "DescribeServicesCommand" })).toBe("DescribeServices");
    expect(operationName({ commandName: "Odd" })).toBe("Odd");
    expect(operationName({})).toBe("Unknown");
  });
});
