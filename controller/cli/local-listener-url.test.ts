import { DescribeLoadBalancersCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, describe, expect, it } from "vitest";
import { createWebStack } from "../../emulator/services/ecs/test-fixtures.ts";
import { startTestEmulator } from "../../emulator/test-clients.ts";
import { createAwsClients } from "../aws/clients.ts";
import { localListenerUrl } from "./local-listener-url.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("localListenerUrl", () => {
  it("asks the built-in emulator where a load balancer's listener is served, by its DNS name and port", async () => {
    const { emulator, clients: setup } = await startTestEmulator();
    const clients = createAwsClients({ region: "us-east-1", endpoint: emulator.url, maxAttempts: 1 });
    cleanups.push(async () => {
      for (const client of [...Object.values(setup), clients.elbv2, clients.ec2, clients.ecs])
        client.destroy();
      await emulator.close();
    });
    await createWebStack(setup);
    emulator.advance(emulator.world.timings.loadBalancerProvisioningMs);
    await emulator.loadBalancers.settled();
    const { LoadBalancers = [] } = await clients.elbv2.send(
      new DescribeLoadBalancersCommand({ Names: ["web"] }),
    );
    const dnsName = LoadBalancers[0]?.DNSName ?? "";

    const url = await localListenerUrl(clients, dnsName, 80);
    expect(url).toBe(emulator.loadBalancers.urlOf(dnsName, 80));
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    // A port with no listener, or a name no load balancer has: nothing to show.
    expect(await localListenerUrl(clients, dnsName, 8443)).toBeUndefined();
    expect(await localListenerUrl(clients, "nobody.elb.amazonaws.com", 80)).toBeUndefined();
    // AWS_ENDPOINT_URL, as the SDK reads it, names the emulator too.
    const fromEnvironment = createAwsClients({ region: "us-east-1" });
    cleanups.push(() => fromEnvironment.elbv2.destroy());
    expect(await localListenerUrl(fromEnvironment, dnsName, 80, { AWS_ENDPOINT_URL: emulator.url })).toBe(
      url,
    );
  });

  it("asks nothing of AWS's own endpoints, nor of an endpoint off this machine", async () => {
    const aws = createAwsClients({ region: "us-east-1" });
    const remote = createAwsClients({ region: "us-east-1", endpoint: "http://192.0.2.1:4566" });
    cleanups.push(() => {
      aws.elbv2.destroy();
      remote.elbv2.destroy();
    });
    expect(await localListenerUrl(aws, "web-1.us-east-1.elb.amazonaws.com", 80, {})).toBeUndefined();
    expect(
      await localListenerUrl(aws, "web-1.us-east-1.elb.amazonaws.com", 80, {
        AWS_ENDPOINT_URL: "https://proxy.example.com",
      }),
    ).toBeUndefined();
    expect(await localListenerUrl(remote, "web-1.us-east-1.elb.amazonaws.com", 80)).toBeUndefined();
  });
});
