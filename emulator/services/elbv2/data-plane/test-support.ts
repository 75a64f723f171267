/**
 * For the data plane's tests: an emulator with an active ALB in a VPC whose CIDR is loopback, plain
 * `node:http` servers on 127.40.x.y as its targets, a prober that makes targets healthy or not, and
 * an HTTP client that reports status, headers and body.
 */

import {
  type Agent,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import {
  CreateTargetGroupCommand,
  type CreateTargetGroupCommandInput,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Emulator, EmulatorOptions } from "../../../server.ts";
import { startTestEmulator, type TestClients } from "../../../test-clients.ts";
import { addVpc } from "../../ec2/control.ts";
import { activateLoadBalancer } from "../control.ts";
import { useTargetProber } from "../health-checks.ts";
import { createAlb, createListener } from "../test-fixtures.ts";

export const REGION = "us-east-1";

/** Polls until `probe` returns a value (tests wait for states, never for durations). */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Targets (`ip:port`) the installed prober fails; every other target passes its checks. */
export const failingTargets = new Set<string>();

/** Installs the prober; call `stopProbing` in afterEach. */
export function startProbing(): void {
  failingTargets.clear();
  useTargetProber((_world, _region, ip, port) => !failingTargets.has(`${ip}:${port}`));
}

export function stopProbing(): void {
  useTargetProber(undefined);
  failingTargets.clear();
}

export interface LoopbackAlb {
  emulator: Emulator;
  clients: TestClients;
  vpcId: string;
  loadBalancerArn: string;
  dnsName: string;
}

/** An emulator and an active ALB in the 127.40.0.0/16 VPC (subnets 127.40.1.0/24 and 127.40.2.0/24). */
export async function startLoopbackAlb(options: EmulatorOptions = {}): Promise<LoopbackAlb> {
  const { emulator, clients } = await startTestEmulator(options);
  const { vpc, subnets } = addVpc(emulator.world, REGION, {
    cidrBlock: "127.40.0.0/16",
    subnets: [
      { availabilityZone: `${REGION}a`, cidrBlock: "127.40.1.0/24" },
      { availabilityZone: `${REGION}b`, cidrBlock: "127.40.2.0/24" },
    ],
  });
  const alb = await createAlb(clients, {
    vpcId: vpc.vpcId,
    subnetIds: subnets.map((subnet) => subnet.subnetId),
  });
  activateLoadBalancer(emulator.world.region(REGION), "web");
  return {
    emulator,
    clients,
    vpcId: vpc.vpcId,
    loadBalancerArn: alb.LoadBalancerArn,
    dnsName: alb.DNSName ?? "",
  };
}

/** An ip target group in the loopback VPC, checked every 5 s, healthy after 2 passes. */
export async function createLoopbackGroup(
  alb: LoopbackAlb,
  name: string,
  overrides: Partial<CreateTargetGroupCommandInput> = {},
): Promise<string> {
  const { TargetGroups } = await alb.clients.elbv2.send(
    new CreateTargetGroupCommand({
      Name: name,
      Protocol: "HTTP",
      Port: 3000,
      VpcId: alb.vpcId,
      TargetType: "ip",
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 2,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      ...overrides,
    }),
  );
  const arn = TargetGroups?.[0]?.TargetGroupArn;
  if (!arn) throw new Error("CreateTargetGroup returned no target group");
  return arn;
}

/**
 * An HTTP :80 listener forwarding to `targetGroupArn`, and its local URL once it is served; health
 * checks start with the listener, so its targets' health is settled too.
 */
export async function serveListener(
  alb: LoopbackAlb,
  targetGroupArn: string,
): Promise<{ listenerArn: string; url: string }> {
  const { ListenerArn } = await createListener(alb.clients, alb.loadBalancerArn, targetGroupArn);
  const url = await waitFor("the listener to be served", () =>
    alb.emulator.loadBalancers.urlOf(alb.dnsName, 80),
  );
  settleHealth(alb);
  return { listenerArn: ListenerArn, url };
}

/**
 * Registers targets and plays health checks until the prober's verdict has settled (checks run only
 * once a listener or rule forwards to the group).
 */
export async function register(
  alb: LoopbackAlb,
  targetGroupArn: string,
  targets: TestTarget[],
): Promise<void> {
  await alb.clients.elbv2.send(
    new RegisterTargetsCommand({
      TargetGroupArn: targetGroupArn,
      Targets: targets.map((target) => ({ Id: target.ip, Port: target.port })),
    }),
  );
  settleHealth(alb);
}

/** The health states of a group's targets, in registration order. */
export const healthStates = (alb: LoopbackAlb, targetGroupArn: string) =>
  [...(alb.emulator.world.region(REGION).elbv2.targetGroups.get(targetGroupArn)?.targets.values() ?? [])].map(
    (target) => target.health,
  );

/** Enough simulated time for every target to pass or fail its thresholds (2 checks, 5 s apart). */
export function settleHealth(alb: LoopbackAlb): void {
  alb.emulator.advance(15_000);
}

export interface TestTarget {
  name: string;
  ip: string;
  port: number;
  /** Requests this target received, in order: method and path. */
  received: string[];
  /** TCP connections it accepted. */
  connections: number;
  server: Server;
  close(): Promise<void>;
}

type Handler = (request: IncomingMessage, response: ServerResponse, target: TestTarget) => void;

/** Answers `{ target, path, headers }` as JSON. */
export const echo: Handler = (request, response, target) => {
  request.resume();
  request.on("end", () => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ target: target.name, path: request.url, headers: request.headers }));
  });
};

/** A plain HTTP server on `ip` (a free port), standing in for a task. */
export async function startTarget(name: string, ip: string, handler: Handler = echo): Promise<TestTarget> {
  const server = createServer();
  const target: TestTarget = {
    name,
    ip,
    port: 0,
    received: [],
    connections: 0,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on("connection", () => {
    target.connections += 1;
  });
  server.on("request", (request, response) => {
    target.received.push(`${request.method} ${request.url}`);
    handler(request, response, target);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, ip, () => resolve());
  });
  target.port = (server.address() as AddressInfo).port;
  return target;
}

export interface Answer {
  status: number;
  headers: IncomingMessage["headers"];
  body: string;
}

/** One request through the load balancer; `agent` false (a fresh connection) unless given. */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; agent?: Agent | false } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: options.method ?? "GET", headers: options.headers, agent: options.agent ?? false },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.on("end", () =>
          resolve({
            status: answer.statusCode ?? 0,
            headers: answer.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        answer.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(options.body);
  });
}

/** The `target` field of an echoed answer. */
export const servedBy = (answer: Answer) => (JSON.parse(answer.body) as { target: string }).target;

/** Whether anything accepts a TCP connection at `url`. */
export function isListening(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const outgoing = request(url, { agent: false }, (answer) => {
      answer.resume();
      resolve(true);
    });
    outgoing.on("error", (error: NodeJS.ErrnoException) => resolve(error.code !== "ECONNREFUSED"));
    outgoing.end();
  });
}
