/**
 * Whether the emulator holds a fleet: an in-process emulator on a clock ×60 (as `npm start`) with N
 * services of 2 tasks each, every service behind its own target group (100 per load balancer: one
 * listener forwarding to the first, a path rule for each other), created directly with the SDK. Once
 * every service is steady (its deployment COMPLETED, its tasks RUNNING and healthy in their group),
 * the emulator is measured for a window: DescribeServices latency from a sequential probe, the CPU the
 * whole process used as a share of one core, the part of it spent catching lifecycles up, the event
 * loop's delay, and how far simulated time fell behind the clock. The emulator's work at steady state
 * should follow what happens in the fleet (health checks, metric periods), not how many resources exist.
 *
 * Figures only: printed and merged into bench/results.json under `emulatorFleet`, by fleet size, never asserted.
 *
 *   node bench/emulator-fleet.ts [--services 1000] [--speed 60] [--window 30] [--concurrency 8]
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateSecurityGroupCommand, DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
  type Service,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { type Emulator, ScaledClock, startEmulator } from "../emulator/index.ts";
import { clientsFor, type TestClients } from "../emulator/test-clients.ts";
import { updateResults } from "./results-file.ts";

const CLUSTER = "fleet";
const LOG_GROUP = "/ecs/fleet";
const TASKS_PER_SERVICE = 2;
/** An ALB takes at most 100 rules besides its default ones: the first group is the listener's default. */
const SERVICES_PER_LOAD_BALANCER = 100;
const CONTAINER_PORT = 8080;
/** The controller's defaults for a web service's health check. */
const HEALTH_CHECK = {
  HealthCheckPath: "/health",
  HealthCheckIntervalSeconds: 10,
  HealthCheckTimeoutSeconds: 5,
  HealthyThresholdCount: 2,
  UnhealthyThresholdCount: 3,
};
/** DescribeServices takes at most 10 services per call. */
const DESCRIBE_BATCH = 10;
const STEADY_DEADLINE_MS = 15 * 60_000;
/** Before the probe, the process is watched with no calls at all: the emulator's own CPU at steady state. */
const QUIET_SECONDS = 10;
const LOOP_DELAY_RESOLUTION_MS = 10;

interface Options {
  services: number;
  speed: number;
  windowSeconds: number;
  concurrency: number;
}

interface FleetFigures {
  services: number;
  tasks: number;
  loadBalancers: number;
  clockSpeed: number;
  createSeconds: number;
  /** From the first CreateService to every service steady. */
  steadySeconds: number;
  windowSeconds: number;
  describeServicesMs: { p50: number; p99: number; max: number; samples: number };
  /** CPU of the whole process over a quiet window before the probe (the emulator alone, nearly), as a share of one core. */
  quietCpuCores: number;
  /** Real time spent in the emulator's lifecycle catch-up over the quiet window, as a share of it (on a busy machine it counts time the process waited for a core). */
  quietCatchUpCores: number;
  /** CPU of the whole process (emulator, SDK probe, this bench) over the probe's window, as a share of one core. */
  processCpuCores: number;
  /** Real time spent in the emulator's lifecycle catch-up over the probe's window, as a share of it. */
  catchUpCores: number;
  /** How late a 10 ms timer fired during the probe's window: how long the event loop was held. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** The most simulated time seen between the clock and the lifecycles (sampled every 100 ms). */
  maxLagMs: number;
}

function readOptions(argv: string[]): Options {
  const number = (name: string, fallback: number) => {
    const index = argv.indexOf(name);
    if (index === -1) return fallback;
    const value = Number(argv[index + 1]);
    if (!(value > 0)) throw new Error(`${name} needs a positive number`);
    return value;
  };
  return {
    services: Math.floor(number("--services", 1000)),
    speed: number("--speed", 60),
    windowSeconds: number("--window", 30),
    concurrency: Math.floor(number("--concurrency", 8)),
  };
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function inBatches<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const serviceName = (index: number) => `svc-${String(index + 1).padStart(4, "0")}`;
const ms = (value: number) => Math.round(value * 10) / 10;
/** CPU time used over `wallMs` of real time, as a share of one core. */
const cores = (cpu: NodeJS.CpuUsage, wallMs: number) =>
  Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100) / 100;
const percentile = (sorted: readonly number[], fraction: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;

interface Network {
  subnetIds: string[];
  vpcId: string;
  albGroupId: string;
  taskGroupId: string;
}

async function createNetwork(clients: TestClients): Promise<Network> {
  const { Subnets = [] } = await clients.ec2.send(
    new DescribeSubnetsCommand({ Filters: [{ Name: "default-for-az", Values: ["true"] }] }),
  );
  const vpcId = Subnets[0]?.VpcId ?? "";
  const subnetIds = Subnets.slice(0, 2).map((subnet) => subnet.SubnetId ?? "");
  const group = async (name: string) =>
    (
      await clients.ec2.send(
        new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId }),
      )
    ).GroupId ?? "";
  return { subnetIds, vpcId, albGroupId: await group("fleet-alb"), taskGroupId: await group("fleet-tasks") };
}

/** One load balancer and the target groups of up to 100 services; returns each service's group ARN. */
async function createLoadBalancer(
  clients: TestClients,
  network: Network,
  balancer: number,
  names: readonly string[],
): Promise<string[]> {
  const { LoadBalancers } = await clients.elbv2.send(
    new CreateLoadBalancerCommand({
      Name: `fleet-${balancer}`,
      Subnets: network.subnetIds,
      SecurityGroups: [network.albGroupId],
    }),
  );
  const loadBalancerArn = LoadBalancers?.[0]?.LoadBalancerArn ?? "";
  const groupArns: string[] = [];
  for (const name of names) {
    const { TargetGroups } = await clients.elbv2.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: "HTTP",
        Port: CONTAINER_PORT,
        VpcId: network.vpcId,
        TargetType: "ip",
        ...HEALTH_CHECK,
      }),
    );
    groupArns.push(TargetGroups?.[0]?.TargetGroupArn ?? "");
  }
  const { Listeners } = await clients.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: "HTTP",
      Port: 80,
      DefaultActions: [{ Type: "forward", TargetGroupArn: groupArns[0] }],
    }),
  );
  const listenerArn = Listeners?.[0]?.ListenerArn ?? "";
  for (const [index, targetGroupArn] of groupArns.entries()) {
    if (index === 0) continue;
    await clients.elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: index,
        Conditions: [{ Field: "path-pattern", Values: [`/${names[index]}/*`] }],
        Actions: [{ Type: "forward", TargetGroupArn: targetGroupArn }],
      }),
    );
  }
  return groupArns;
}

async function createFleet(clients: TestClients, names: readonly string[], concurrency: number) {
  const network = await createNetwork(clients);
  await clients.logs.send(new CreateLogGroupCommand({ logGroupName: LOG_GROUP }));
  await clients.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const { taskDefinition } = await clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "web",
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      executionRoleArn: "arn:aws:iam::000000000000:role/ecsTaskExecutionRole",
      containerDefinitions: [
        {
          name: "web",
          image: "example/web:1",
          portMappings: [{ containerPort: CONTAINER_PORT }],
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": LOG_GROUP,
              "awslogs-region": "us-east-1",
              "awslogs-stream-prefix": "web",
            },
          },
        },
      ],
    }),
  );
  const balancers = Array.from({ length: Math.ceil(names.length / SERVICES_PER_LOAD_BALANCER) }, (_, index) =>
    names.slice(index * SERVICES_PER_LOAD_BALANCER, (index + 1) * SERVICES_PER_LOAD_BALANCER),
  );
  const groupOf = new Map<string, string>();
  await inBatches([...balancers.entries()], concurrency, async ([index, group]) => {
    const arns = await createLoadBalancer(clients, network, index, group);
    for (const [position, name] of group.entries()) groupOf.set(name, arns[position] ?? "");
  });
  await inBatches(names, concurrency, async (name) => {
    await clients.ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: name,
        taskDefinition: taskDefinition?.taskDefinitionArn,
        desiredCount: TASKS_PER_SERVICE,
        launchType: "FARGATE",
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: network.subnetIds,
            securityGroups: [network.taskGroupId],
            assignPublicIp: "DISABLED",
          },
        },
        loadBalancers: [
          { targetGroupArn: groupOf.get(name), containerName: "web", containerPort: CONTAINER_PORT },
        ],
        healthCheckGracePeriodSeconds: 60,
      }),
    );
  });
  return balancers.length;
}

const isSteady = (service: Service) =>
  service.deployments?.length === 1 &&
  service.deployments[0]?.rolloutState === "COMPLETED" &&
  service.runningCount === TASKS_PER_SERVICE;

/** How many services are steady, read through DescribeServices as a user would. */
async function countSteady(clients: TestClients, names: readonly string[], concurrency: number) {
  const batches = Array.from({ length: Math.ceil(names.length / DESCRIBE_BATCH) }, (_, index) =>
    names.slice(index * DESCRIBE_BATCH, (index + 1) * DESCRIBE_BATCH),
  );
  let steady = 0;
  await inBatches(batches, concurrency, async (batch) => {
    const { services = [] } = await clients.ecs.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: batch }),
    );
    steady += services.filter(isSteady).length;
  });
  return steady;
}

async function waitUntilSteady(clients: TestClients, names: readonly string[], concurrency: number) {
  const started = performance.now();
  let last = -1;
  for (;;) {
    const steady = await countSteady(clients, names, concurrency);
    if (steady === names.length) return;
    if (steady !== last) console.error(`  ${steady}/${names.length} services steady`);
    last = steady;
    if (performance.now() - started > STEADY_DEADLINE_MS)
      throw new Error(
        `only ${steady} of ${names.length} services steady after ${STEADY_DEADLINE_MS / 1000} s`,
      );
    await sleep(1000);
  }
}

/** Wraps the world's catch-up to add up the real time it takes (the emulator's lifecycle CPU). */
function meterCatchUp(emulator: Emulator): { takeMs(): number } {
  const world = emulator.world;
  const original = world.catchUp.bind(world);
  let spentMs = 0;
  world.catchUp = (budgetMs?: number) => {
    const started = performance.now();
    try {
      return original(budgetMs);
    } finally {
      spentMs += performance.now() - started;
    }
  };
  return {
    takeMs() {
      const spent = spentMs;
      spentMs = 0;
      return spent;
    },
  };
}

/** Sequential DescribeServices calls until `until`, one service at a time, in rotation. */
async function probeLatency(clients: TestClients, names: readonly string[], until: number) {
  const samples: number[] = [];
  for (let index = 0; performance.now() < until; index++) {
    const started = performance.now();
    await clients.ecs.send(
      new DescribeServicesCommand({ cluster: CLUSTER, services: [names[index % names.length] ?? ""] }),
    );
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b);
}

export async function measureEmulatorFleet(options: Options): Promise<FleetFigures> {
  const emulator = await startEmulator({ port: 0, clock: new ScaledClock(options.speed) });
  const clients = clientsFor(emulator, "us-east-1", 3);
  try {
    const names = Array.from({ length: options.services }, (_, index) => serviceName(index));
    const created = performance.now();
    const loadBalancers = await createFleet(clients, names, options.concurrency);
    const createSeconds = (performance.now() - created) / 1000;
    console.error(`  created ${names.length} services in ${createSeconds.toFixed(1)} s`);
    await waitUntilSteady(clients, names, options.concurrency);
    const steadySeconds = (performance.now() - created) / 1000;
    console.error(`  steady after ${steadySeconds.toFixed(1)} s; measuring for ${options.windowSeconds} s`);

    const catchUp = meterCatchUp(emulator);
    const quietCpuBefore = process.cpuUsage();
    const quietStarted = performance.now();
    await sleep(QUIET_SECONDS * 1000);
    const quietCpu = process.cpuUsage(quietCpuBefore);
    const quietMs = performance.now() - quietStarted;
    const quietCpuCores = cores(quietCpu, quietMs);
    const quietCatchUpCores = Math.round((catchUp.takeMs() / quietMs) * 100) / 100;

    let maxLagMs = 0;
    const lagSampler = setInterval(() => {
      maxLagMs = Math.max(maxLagMs, emulator.world.clock.now() - emulator.world.time);
    }, 100);
    const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    loopDelay.enable();
    const cpuBefore = process.cpuUsage();
    const wallStarted = performance.now();
    catchUp.takeMs();
    const samples = await probeLatency(clients, names, wallStarted + options.windowSeconds * 1000);
    const wallMs = performance.now() - wallStarted;
    const cpu = process.cpuUsage(cpuBefore);
    const catchUpMs = catchUp.takeMs();
    loopDelay.disable();
    clearInterval(lagSampler);

    // The histogram holds whole intervals between timer turns: what is late is beyond the resolution.
    const lateMs = (ns: number) => ms(Math.max(0, ns / 1e6 - LOOP_DELAY_RESOLUTION_MS));
    return {
      services: names.length,
      tasks: names.length * TASKS_PER_SERVICE,
      loadBalancers,
      clockSpeed: options.speed,
      createSeconds: ms(createSeconds),
      steadySeconds: ms(steadySeconds),
      windowSeconds: ms(wallMs / 1000),
      describeServicesMs: {
        p50: ms(percentile(samples, 0.5)),
        p99: ms(percentile(samples, 0.99)),
        max: ms(samples.at(-1) ?? 0),
        samples: samples.length,
      },
      quietCpuCores,
      quietCatchUpCores,
      processCpuCores: cores(cpu, wallMs),
      catchUpCores: Math.round((catchUpMs / wallMs) * 100) / 100,
      eventLoopDelayMs: {
        p50: lateMs(loopDelay.percentile(50)),
        p99: lateMs(loopDelay.percentile(99)),
        max: lateMs(loopDelay.max),
      },
      maxLagMs,
    };
  } finally {
    for (const client of Object.values(clients)) client.destroy();
    await emulator.close();
  }
}

function printFigures(figures: FleetFigures): void {
  const row = (label: string, value: string | number) => console.log(`${label.padEnd(50)}${value}`);
  console.log(
    `Emulator holding a fleet: ${figures.services} services × ${TASKS_PER_SERVICE} tasks behind ${figures.loadBalancers} load balancers, clock ×${figures.clockSpeed}, in process:`,
  );
  row("created (s)", figures.createSeconds);
  row("steady from the first create (s)", figures.steadySeconds);
  row("window (s)", figures.windowSeconds);
  const latency = figures.describeServicesMs;
  row(
    "DescribeServices p50/p99/max (ms)",
    `${latency.p50}/${latency.p99}/${latency.max} (${latency.samples} calls)`,
  );
  row("process CPU, no calls (share of one core)", figures.quietCpuCores);
  row("  real time in lifecycle catch-up (share)", figures.quietCatchUpCores);
  row("process CPU, with the probe (share of one core)", figures.processCpuCores);
  row("  real time in lifecycle catch-up (share)", figures.catchUpCores);
  const delay = figures.eventLoopDelayMs;
  row("event loop held p50/p99/max (ms)", `${delay.p50}/${delay.p99}/${delay.max}`);
  row("most simulated lag behind the clock (ms)", figures.maxLagMs);
}

/** Merges this run's figures into bench/results.json by fleet size, keeping what other runs wrote there. */
const recordResults = (figures: FleetFigures) =>
  updateResults("emulatorFleet", (sizes) => ({
    ...(sizes as Record<string, unknown> | undefined),
    [String(figures.services)]: { measuredAt: new Date().toISOString(), ...figures },
  }));

export async function benchEmulatorFleet(options: Partial<Options> = {}): Promise<FleetFigures> {
  const figures = await measureEmulatorFleet({ ...readOptions([]), ...options });
  printFigures(figures);
  await recordResults(figures);
  return figures;
}

if (import.meta.main) await benchEmulatorFleet(readOptions(process.argv));
