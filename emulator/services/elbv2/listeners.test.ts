import {
  CreateListenerCommand,
  DeleteListenerCommand,
  DescribeListenersCommand,
  DescribeTargetGroupsCommand,
  DuplicateListenerException,
  ListenerNotFoundException,
  ModifyListenerCommand,
  TargetGroupAssociationLimitException,
  TargetGroupNotFoundException,
  UnsupportedProtocolException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../../server.ts";
import { startTestEmulator, type TestClients } from "../../test-clients.ts";
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
let loadBalancerArn: string;
let targetGroupArn: string;

beforeEach(async () => {
  if (!emulator) ({ emulator, clients } = await startTestEmulator());
  emulator.reset();
  network = await defaultNetwork(clients);
  loadBalancerArn = (await createAlb(clients, network)).LoadBalancerArn;
  targetGroupArn = (await createTargetGroup(clients, network)).TargetGroupArn;
});
afterAll(async () => {
  await emulator?.close();
});

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "no error",
    (error: Error) => error.name,
  );

const listenersOf = async (arn: string) =>
  (await clients.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: arn }))).Listeners ?? [];

/** How AWS reads back a forward to one group, whichever way it was written. */
const forwardTo = (arn: string) => ({
  Type: "forward",
  TargetGroupArn: arn,
  ForwardConfig: {
    TargetGroups: [{ TargetGroupArn: arn, Weight: 1 }],
    TargetGroupStickinessConfig: { Enabled: false },
  },
});

describe("CreateListener", () => {
  it("reads a TargetGroupArn forward back with both TargetGroupArn and ForwardConfig", async () => {
    const created = await createListener(clients, loadBalancerArn, targetGroupArn);
    expect(created).toEqual({
      ListenerArn: expect.stringMatching(
        new RegExp(
          `^arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web/${loadBalancerArn.split("/").at(-1)}/[0-9a-f]{16}$`,
        ),
      ),
      LoadBalancerArn: loadBalancerArn,
      Port: 80,
      Protocol: "HTTP",
      DefaultActions: [forwardTo(targetGroupArn)],
    });
    expect(await listenersOf(loadBalancerArn)).toEqual([created]);
  });

  it("reads a ForwardConfig forward back the same way", async () => {
    await createListener(clients, loadBalancerArn, targetGroupArn, {
      DefaultActions: [
        { Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: targetGroupArn }] } },
      ],
    });
    expect((await listenersOf(loadBalancerArn))[0]?.DefaultActions).toEqual([forwardTo(targetGroupArn)]);
  });

  it("makes the target group's LoadBalancerArns name the load balancer", async () => {
    await createListener(clients, loadBalancerArn, targetGroupArn);
    const { TargetGroups } = await clients.elbv2.send(
      new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] }),
    );
    expect(TargetGroups?.[0]?.LoadBalancerArns).toEqual([loadBalancerArn]);
  });

  it("is idempotent for the same settings; another listener on the port is DuplicateListener", async () => {
    const first = await createListener(clients, loadBalancerArn, targetGroupArn);
    const again = await createListener(clients, loadBalancerArn, targetGroupArn, {
      DefaultActions: [
        { Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: targetGroupArn, Weight: 1 }] } },
      ],
    });
    expect(again.ListenerArn).toBe(first.ListenerArn);
    const other = await createTargetGroup(clients, network, { Name: "other-tg" });
    await expect(createListener(clients, loadBalancerArn, other.TargetGroupArn)).rejects.toBeInstanceOf(
      DuplicateListenerException,
    );
    expect(await listenersOf(loadBalancerArn)).toHaveLength(1);
  });

  it.each([
    ["no protocol", { Protocol: undefined }],
    ["no port", { Port: undefined }],
    ["no default actions", { DefaultActions: [] }],
    ["a forward without target group", { DefaultActions: [{ Type: "forward" as const }] }],
    ["HTTPS without a certificate", { Protocol: "HTTPS" as const, Port: 443 }],
  ])("refuses a listener with %s (ValidationError)", async (_reason, change) => {
    expect(await errorOf(createListener(clients, loadBalancerArn, targetGroupArn, change))).toBe(
      "ValidationError",
    );
    expect(await listenersOf(loadBalancerArn)).toEqual([]);
  });

  it("refuses protocols an ALB does not speak (UnsupportedProtocol)", async () => {
    await expect(
      createListener(clients, loadBalancerArn, targetGroupArn, { Protocol: "TCP" }),
    ).rejects.toBeInstanceOf(UnsupportedProtocolException);
  });

  it("is TargetGroupNotFound for a forward to an unknown group", async () => {
    await expect(
      createListener(clients, loadBalancerArn, targetGroupArn.replace("/web-tg/", "/gone/")),
    ).rejects.toBeInstanceOf(TargetGroupNotFoundException);
  });

  it("refuses a group that already serves another load balancer (TargetGroupAssociationLimit)", async () => {
    await createListener(clients, loadBalancerArn, targetGroupArn);
    const second = await createAlb(clients, network, { Name: "second" });
    await expect(createListener(clients, second.LoadBalancerArn, targetGroupArn)).rejects.toBeInstanceOf(
      TargetGroupAssociationLimitException,
    );
    expect(await listenersOf(second.LoadBalancerArn)).toEqual([]);
  });

  it("takes HTTPS with a certificate and AWS's default security policy", async () => {
    const certificateArn = "arn:aws:acm:us-east-1:000000000000:certificate/abc";
    const created = await createListener(clients, loadBalancerArn, targetGroupArn, {
      Protocol: "HTTPS",
      Port: 443,
      Certificates: [{ CertificateArn: certificateArn }],
    });
    expect(created).toMatchObject({
      Protocol: "HTTPS",
      Certificates: [{ CertificateArn: certificateArn }],
      SslPolicy: "ELBSecurityPolicy-2016-08",
    });
  });

  it("reads back fixed-response and redirect actions", async () => {
    await createListener(clients, loadBalancerArn, targetGroupArn, {
      DefaultActions: [
        { Type: "fixed-response", FixedResponseConfig: { StatusCode: "503", ContentType: "text/plain" } },
      ],
    });
    await createListener(clients, loadBalancerArn, targetGroupArn, {
      Port: 8080,
      DefaultActions: [
        { Type: "redirect", RedirectConfig: { StatusCode: "HTTP_301", Protocol: "HTTPS", Port: "443" } },
      ],
    });
    expect((await listenersOf(loadBalancerArn)).map((listener) => listener.DefaultActions)).toEqual([
      [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "503", ContentType: "text/plain" } }],
      [
        {
          Type: "redirect",
          RedirectConfig: {
            StatusCode: "HTTP_301",
            Protocol: "HTTPS",
            Port: "443",
            Host: "#{host}",
            Path: "/#{path}",
            Query: "#{query}",
          },
        },
      ],
    ]);
  });
});

describe("ModifyListener", () => {
  it("moves the listener to another port and group", async () => {
    const { ListenerArn } = await createListener(clients, loadBalancerArn, targetGroupArn);
    const other = await createTargetGroup(clients, network, { Name: "other-tg" });
    const { Listeners } = await clients.elbv2.send(
      new ModifyListenerCommand({
        ListenerArn,
        Port: 8080,
        DefaultActions: [{ Type: "forward", TargetGroupArn: other.TargetGroupArn }],
      }),
    );
    expect(Listeners?.[0]).toMatchObject({ Port: 8080, DefaultActions: [forwardTo(other.TargetGroupArn)] });
    expect(await listenersOf(loadBalancerArn)).toEqual(Listeners);
  });

  it("is DuplicateListener onto a port in use, changing nothing", async () => {
    const { ListenerArn } = await createListener(clients, loadBalancerArn, targetGroupArn);
    await createListener(clients, loadBalancerArn, targetGroupArn, { Port: 8080 });
    await expect(
      clients.elbv2.send(new ModifyListenerCommand({ ListenerArn, Port: 8080 })),
    ).rejects.toBeInstanceOf(DuplicateListenerException);
    expect((await listenersOf(loadBalancerArn)).map((listener) => listener.Port)).toEqual([80, 8080]);
  });
});

describe("DescribeListeners and DeleteListener", () => {
  it("describe by ARN; an unknown listener is ListenerNotFound; delete removes it", async () => {
    const { ListenerArn } = await createListener(clients, loadBalancerArn, targetGroupArn);
    const byArn = await clients.elbv2.send(new DescribeListenersCommand({ ListenerArns: [ListenerArn] }));
    expect(byArn.Listeners?.map((listener) => listener.ListenerArn)).toEqual([ListenerArn]);
    await clients.elbv2.send(new DeleteListenerCommand({ ListenerArn }));
    expect(await listenersOf(loadBalancerArn)).toEqual([]);
    await expect(
      clients.elbv2.send(new DescribeListenersCommand({ ListenerArns: [ListenerArn] })),
    ).rejects.toBeInstanceOf(ListenerNotFoundException);
    await expect(clients.elbv2.send(new DeleteListenerCommand({ ListenerArn }))).rejects.toBeInstanceOf(
      ListenerNotFoundException,
    );
  });

  it("needs a load balancer or listener ARNs", async () => {
    expect(await errorOf(clients.elbv2.send(new DescribeListenersCommand({})))).toBe("ValidationError");
  });

  it("pages with Marker", async () => {
    for (const port of [80, 81, 82])
      await createListener(clients, loadBalancerArn, targetGroupArn, { Port: port });
    const first = await clients.elbv2.send(
      new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, PageSize: 2 }),
    );
    const second = await clients.elbv2.send(
      new DescribeListenersCommand({
        LoadBalancerArn: loadBalancerArn,
        PageSize: 2,
        Marker: first.NextMarker,
      }),
    );
    expect(
      [...(first.Listeners ?? []), ...(second.Listeners ?? [])].map((listener) => listener.Port),
    ).toEqual([80, 81, 82]);
  });
});

it("serves CreateListener for an unknown load balancer with LoadBalancerNotFound", async () => {
  const attempt = clients.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn.replace("/web/", "/gone/"),
      Protocol: "HTTP",
      Port: 80,
      DefaultActions: [{ Type: "forward", TargetGroupArn: targetGroupArn }],
    }),
  );
  expect(await errorOf(attempt)).toBe("LoadBalancerNotFoundException");
});
