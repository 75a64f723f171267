/**
 * A new container port replaces the target group make-before-break, across passes: the group the
 * listener forwards to has a healthy target at every moment, the old group goes only once the
 * service is stable without it, and a rollback finds it still there. Asserted on the emulator's
 * state, sampled continuously while the passes run (not through HTTP).
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../controller/cli/program.ts";
import { captureStreams } from "../controller/cli/test-streams.ts";
import type { Change } from "../controller/engine/plan.ts";
import { applyPlan, planService, type ServicePlan } from "../controller/engine/reconcile.ts";
import { renderPlan } from "../controller/engine/render-plan.ts";
import { isServiceStable } from "../controller/resources/service/service.ts";
import { markRevisionFailed } from "../controller/resources/task-definition/task-definition.ts";
import { setImageBehaviour } from "../emulator/services/ecs/control.ts";
import { parseSpec, type ServiceSpec } from "../specs/index.ts";
import { merge, specYaml } from "../specs/test-builders.ts";
import { convergeThroughPasses } from "./support/converge.ts";
import { useEmulatedAws } from "./support/emulated-aws.ts";
import { waitFor } from "./support/wait-for.ts";

type Patch = Parameters<typeof merge>[1];

const aws = useEmulatedAws();

const BROKEN = "registry.example.com/web:2.0.0-broken";
const specWith = (patch: Patch = {}): ServiceSpec =>
  parseSpec(specYaml(merge({ metadata: { name: "web" } }, patch)), "service.yaml").spec;
const onPort = (port: number, image?: string) =>
  specWith({ spec: { task: { container: { port, ...(image ? { image } : {}) } } } });

/** The world as a request would meet it, at one moment. */
interface Sample {
  /** Groups the listener sends traffic to (weight above 0), by name. */
  serving: string[];
  /** Healthy targets across them. */
  healthy: number;
  /** Every target group, by port. */
  groupPorts: number[];
  /** Ports the tasks' security group admits. */
  taskPorts: number[];
}

async function sample(): Promise<Sample> {
  const { operator } = aws;
  const { LoadBalancers = [] } = await operator.elbv2.send(
    new DescribeLoadBalancersCommand({ Names: ["web"] }),
  );
  const { Listeners = [] } = await operator.elbv2.send(
    new DescribeListenersCommand({ LoadBalancerArn: LoadBalancers[0]?.LoadBalancerArn }),
  );
  const forward = Listeners[0]?.DefaultActions?.find((action) => action.Type === "forward");
  const serving = (
    forward?.ForwardConfig?.TargetGroups ?? [{ TargetGroupArn: forward?.TargetGroupArn, Weight: 1 }]
  )
    .filter((tuple) => (tuple.Weight ?? 1) > 0)
    .map((tuple) => tuple.TargetGroupArn ?? "");
  let healthy = 0;
  for (const arn of serving) {
    const { TargetHealthDescriptions = [] } = await operator.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: arn }),
    );
    healthy += TargetHealthDescriptions.filter((target) => target.TargetHealth?.State === "healthy").length;
  }
  const { TargetGroups = [] } = await operator.elbv2.send(new DescribeTargetGroupsCommand({}));
  const { SecurityGroups = [] } = await operator.ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["web-tasks"] }] }),
  );
  return {
    serving: serving.map(
      (arn) => TargetGroups.find((group) => group.TargetGroupArn === arn)?.TargetGroupName ?? arn,
    ),
    healthy,
    groupPorts: TargetGroups.map((group) => group.Port ?? 0).sort(),
    taskPorts: (SecurityGroups[0]?.IpPermissions ?? []).map((permission) => permission.FromPort ?? 0).sort(),
  };
}

/** Samples the world back to back until stopped: a moment without a healthy target would show. */
function startSampling() {
  const samples: Sample[] = [];
  let running = true;
  let failure: unknown;
  const loop = (async () => {
    while (running) samples.push(await sample());
  })().catch((error: unknown) => {
    failure = error;
  });
  return {
    samples,
    async stop() {
      running = false;
      await loop;
      if (failure) throw failure;
      return samples;
    },
  };
}

/** Converged and serving: every task healthy behind the listener, one deployment. */
async function convergedAndServing(document: ServiceSpec): Promise<void> {
  await convergeThroughPasses(aws.clients, document);
  await waitFor("the service to be stable and serving", async () => {
    const service = await ecsService();
    const moment = await sample();
    return service?.deployments?.length === 1 &&
      service.deployments[0]?.rolloutState === "COMPLETED" &&
      moment.healthy === service.desiredCount
      ? true
      : undefined;
  });
}

async function ecsService() {
  const { services = [] } = await aws.operator.ecs.send(
    new DescribeServicesCommand({ cluster: "web", services: ["web"] }),
  );
  return services[0];
}

const actions = (changes: readonly Change[]) =>
  changes.filter((change) => change.action !== "noop").map((change) => `${change.action} ${change.resource}`);
const changeOf = (plan: ServicePlan, resource: string) =>
  plan.changes.find((change) => change.resource === resource && change.action !== "noop");

/**
 * Every sample had a healthy target behind the listener, and the old port stayed open while its group
 * existed. `atLeast` shows the sampler ran throughout; how many it takes depends on the machine's load
 * (19 when a fleet bench shared the two cores), so it is a floor well below the usual count.
 */
function expectNoGap(samples: readonly Sample[], atLeast = 10): void {
  expect(samples.length).toBeGreaterThanOrEqual(atLeast);
  const gaps = samples.filter((moment) => moment.healthy === 0);
  expect(gaps, JSON.stringify(gaps.slice(0, 3))).toEqual([]);
  const closedEarly = samples.filter(
    (moment) => moment.groupPorts.includes(3000) && !moment.taskPorts.includes(3000),
  );
  expect(closedEarly, JSON.stringify(closedEarly.slice(0, 3))).toEqual([]);
}

describe("a container port change", () => {
  it("keeps a healthy target behind the listener through every pass, and deletes the old group only once the service is stable without it", async () => {
    await convergedAndServing(onPort(3000));
    const sampling = startSampling();
    const passes = await convergeThroughPasses(aws.clients, onPort(8080), {
      // The old group is deleted only by a pass that found the service stable without it.
      afterPass: (plan) => {
        if (!plan.changes.some((change) => change.resource === "TargetGroup" && change.action === "delete"))
          return;
        const service = plan.observation.service;
        expect(isServiceStable(service)).toBe(true);
        expect(service?.settings.loadBalancers.map((binding) => binding.containerPort)).toEqual([8080]);
      },
    });
    expectNoGap(await sampling.stop());

    // Pass 1: the new group is made and attached without traffic; the service registers new tasks in both.
    const [first, ...later] = passes;
    if (!first) throw new Error("no pass applied the port change");
    expect(actions(first.changes).sort()).toEqual(
      [
        "update SecurityGroup",
        "replace TargetGroup",
        "update Listener",
        "update TaskDefinition",
        "update Service",
      ].sort(),
    );
    expect(changeOf(first, "Listener")?.diff.map((field) => field.path)).toEqual(["attached"]);
    expect(changeOf(first, "Listener")?.reason).toMatch(/at weight 0 \(no traffic yet\)/);
    const firstBindings = changeOf(first, "Service")?.diff.find((field) => field.path === "loadBalancers");
    expect(
      ((firstBindings?.desired ?? []) as { containerPort: number }[]).map((binding) => binding.containerPort),
    ).toEqual([8080, 8080]);
    expect(first.waiting.map((step) => `${step.resource} ${step.name}`)).toEqual([
      "Listener web:80",
      expect.stringMatching(/^TargetGroup web-/),
    ]);
    // Then the move, once the rollout onto the new group is complete; then the old group goes, then its port.
    const move = later.find((plan) => /traffic moves/.test(changeOf(plan, "Listener")?.reason ?? ""));
    expect(move, "a pass moved the listener").toBeDefined();
    if (move) expect(changeOf(move, "Service")?.diff.map((field) => field.path)).toEqual(["loadBalancers"]);
    const deletion = later.findIndex((plan) => changeOf(plan, "TargetGroup")?.action === "delete");
    expect(deletion).toBeGreaterThan(later.indexOf(move as ServicePlan));
    expect(actions(later.at(-1)?.changes ?? [])).toEqual(["update SecurityGroup"]);

    const end = await sample();
    expect(end).toMatchObject({ groupPorts: [8080], taskPorts: [8080] });
    expect(end.healthy).toBeGreaterThan(0);
    expect((await ecsService())?.loadBalancers?.map((binding) => binding.containerPort)).toEqual([8080]);
  });

  it("plans each step honestly: what this pass does and what waits for what", async () => {
    await convergedAndServing(onPort(3000));
    const plan = await planService(aws.clients, onPort(8080));
    const text = renderPlan(plan.changes, undefined, plan.skipped, plan.heldBack, {
      waiting: plan.waiting,
      interruptions: plan.interruptions,
    }).join("\n");
    expect(text).toMatch(/~ update Listener web:80 \(attaches web-\w+ at weight 0 \(no traffic yet\)/);
    expect(text).toMatch(
      /… Listener web:80 \(a later pass\): keeps forwarding to web-\w+; moves to web-\w+ once the service's rollout onto it is complete and it has a healthy target \(now: web-\w+ is created this pass\)/,
    );
    expect(text).toMatch(
      /… TargetGroup web-\w+ \(a later pass\): deleted once the service is stable without it/,
    );
    expect(text).toMatch(/; 2 steps waiting for AWS\.$/);
    expect(plan.interruptions).toEqual([]);

    await applyPlan(plan, () => {});
    const between = await planService(aws.clients, onPort(8080));
    expect(actions(between.changes)).toEqual([]);
    expect(between.waiting[0]?.reason).toMatch(/now: the service's rollout is in progress/);
    expect(renderPlan(between.changes, undefined, [], [], { waiting: between.waiting }).at(-1)).toBe(
      "Not in sync yet: nothing to change this pass; 2 steps waiting for AWS (a later pass takes them).",
    );
  });

  it("rolled back by the circuit breaker, keeps the old group serving and in place; a fixed spec then completes the change", async () => {
    await convergedAndServing(onPort(3000));
    setImageBehaviour(aws.emulator.world, BROKEN, { failure: "pull" });
    const sampling = startSampling();
    const broken = onPort(8080, BROKEN);
    const first = await planService(aws.clients, broken);
    await applyPlan(first, () => {});
    const failedRevision = (await ecsService())?.taskDefinition ?? "";
    // The circuit breaker rolls the service back to the revision and group it ran before.
    await waitFor("the rollback to complete", async () => {
      const service = await ecsService();
      const [only, ...others] = service?.deployments ?? [];
      return others.length === 0 &&
        only?.rolloutState === "COMPLETED" &&
        only.taskDefinition !== failedRevision
        ? true
        : undefined;
    });
    await markRevisionFailed(aws.clients, first.context.taskDefinitions, failedRevision);
    const held = await planService(aws.clients, broken);
    expect(held.heldBack.map((revision) => revision.name)).toEqual(["web:2"]);
    expect(actions(held.changes)).toEqual([]);
    expect(held.waiting[0]?.reason).toMatch(/now: the spec's revision is held back/);
    const rolledBack = await ecsService();
    const oldGroup = rolledBack?.loadBalancers?.[0]?.targetGroupArn ?? "";
    expect(rolledBack?.loadBalancers?.map((binding) => binding.containerPort)).toEqual([3000]);
    const { TargetGroups = [] } = await aws.operator.elbv2.send(
      new DescribeTargetGroupsCommand({ TargetGroupArns: [oldGroup] }),
    );
    expect(TargetGroups).toHaveLength(1);

    setImageBehaviour(aws.emulator.world, BROKEN, undefined);
    await convergeThroughPasses(aws.clients, onPort(8080, "registry.example.com/web:2.0.1"));
    expectNoGap(await sampling.stop());
    expect(await sample()).toMatchObject({ groupPorts: [8080], taskPorts: [8080] });
  });
});

describe("apply --wait", () => {
  const savedEnvironment = { ...process.env };
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "ecs-converge-port-change-"));
  });
  afterAll(async () => {
    process.env = savedEnvironment;
    await rm(directory, { recursive: true, force: true });
  });

  it("carries a port change through every pass to the end", async () => {
    process.env = {
      ...savedEnvironment,
      AWS_ENDPOINT_URL: aws.emulator.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "cli-test",
      AWS_SECRET_ACCESS_KEY: "cli-test",
      AWS_EC2_METADATA_DISABLED: "true",
    };
    await convergedAndServing(onPort(3000));
    const file = join(directory, "service.yaml");
    await writeFile(
      file,
      specYaml(merge({ metadata: { name: "web" } }, { spec: { task: { container: { port: 8080 } } } })),
    );
    const streams = captureStreams();
    const code = await runCli(
      ["apply", "-f", file, "--wait", "--timeout", "10m", "--poll-interval", "100ms"],
      streams,
    );
    const stdout = streams.stdoutText();
    expect(code, streams.stderrText()).toBe(0);
    expect(stdout).toMatch(/… Listener web:80 \(a later pass\): keeps forwarding to web-/);
    expect(stdout).toMatch(/web: next step\./);
    expect(stdout).toMatch(/deleted TargetGroup web-/);
    expect(await sample()).toMatchObject({ groupPorts: [8080], taskPorts: [8080] });
    const plan = await planService(aws.clients, onPort(8080));
    expect(actions(plan.changes)).toEqual([]);
    expect(plan.waiting).toEqual([]);
  });
});

describe("changes that cannot be made without interruption", () => {
  const interruptionsOf = async (base: Patch, patch: Patch) => {
    await convergeThroughPasses(aws.clients, specWith(base));
    const plan = await planService(aws.clients, specWith(merge(base, patch)));
    return plan.interruptions.map(
      (interruption) => `${interruption.resource} ${interruption.name}: ${interruption.reason}`,
    );
  };
  const cases: Array<{ reason: string; base?: Patch; patch: Patch; expected: RegExp[] }> = [
    {
      reason: "a new image rolls out with healthy tasks throughout",
      patch: { spec: { task: { container: { image: "registry.example.com/web:1.2.3" } } } },
      expected: [],
    },
    {
      reason: "a deployment allowed to stop every task first",
      base: { spec: { service: { deployment: { minimumHealthyPercent: 0, maximumPercent: 100 } } } },
      patch: { spec: { task: { cpu: 512, memory: 1024 } } },
      expected: [
        /^Service web: the deployment may stop every running task before a new one is healthy \(minimumHealthyPercent 0\)/,
      ],
    },
    {
      reason: "replaced tasks with no deregistration delay",
      base: { spec: { loadBalancer: { deregistrationDelaySeconds: 0 } } },
      patch: { spec: { task: { container: { environment: { APP_VERSION: "2" } } } } },
      expected: [/^Service web: replaced tasks are deregistered with no time to finish their requests/],
    },
    {
      reason: "scaling in with no deregistration delay",
      base: { spec: { service: { desiredCount: 3 }, loadBalancer: { deregistrationDelaySeconds: 0 } } },
      patch: { spec: { service: { desiredCount: 2 } } },
      expected: [/^Service web: stopped tasks are deregistered with no time/],
    },
    {
      reason: "scaling to zero",
      patch: { spec: { service: { desiredCount: 0 } } },
      expected: [/^Service web: desiredCount 0 stops every task/],
    },
    {
      reason: "a new listener port",
      patch: { spec: { loadBalancer: { listenerPort: 8081 } } },
      expected: [/^Listener web:8081: the listener moves from port 80 to 8081/],
    },
    {
      reason: "health-check settings and the deregistration delay change in place",
      patch: {
        spec: { loadBalancer: { deregistrationDelaySeconds: 60, healthCheck: { healthyThreshold: 2 } } },
      },
      expected: [],
    },
  ];
  it.each(cases)("$reason", async ({ base = {}, patch, expected }) => {
    const found = await interruptionsOf(base, patch);
    expect(found).toHaveLength(expected.length);
    expected.forEach((pattern, index) => {
      expect(found[index]).toMatch(pattern);
    });
  });

  it("plan says so with a ! line", async () => {
    await convergeThroughPasses(aws.clients, specWith());
    const plan = await planService(aws.clients, specWith({ spec: { service: { desiredCount: 0 } } }));
    const text = renderPlan(plan.changes, undefined, plan.skipped, plan.heldBack, {
      interruptions: plan.interruptions,
    });
    expect(text).toContain(
      "  ! Service web: interrupts traffic: desiredCount 0 stops every task: the load balancer answers 503 until a task runs again",
    );
  });
});

describe("every other kind of change keeps a healthy target behind the listener", () => {
  /** Stable and serving: one COMPLETED deployment, as many healthy targets as desired tasks. */
  const settled = async () =>
    waitFor("the service to settle", async () => {
      const service = await ecsService();
      const moment = await sample();
      return service?.deployments?.length === 1 &&
        service.deployments[0]?.rolloutState === "COMPLETED" &&
        service.runningCount === service.desiredCount &&
        moment.healthy === service.desiredCount
        ? true
        : undefined;
    });
  const cases: Array<{ reason: string; base?: Patch; patch: Patch; broken?: boolean }> = [
    {
      reason: "a new image",
      patch: { spec: { task: { container: { image: "registry.example.com/web:1.2.3" } } } },
    },
    {
      reason: "a new environment",
      patch: { spec: { task: { container: { environment: { APP_VERSION: "2" } } } } },
    },
    { reason: "a new task size", patch: { spec: { task: { cpu: 512, memory: 1024 } } } },
    {
      reason: "health-check settings",
      patch: { spec: { loadBalancer: { healthCheck: { healthyThreshold: 2, intervalSeconds: 10 } } } },
    },
    {
      reason: "the deregistration delay",
      patch: { spec: { loadBalancer: { deregistrationDelaySeconds: 120 } } },
    },
    { reason: "scaling out", patch: { spec: { service: { desiredCount: 4 } } } },
    {
      reason: "scaling in",
      base: { spec: { service: { desiredCount: 4 } } },
      patch: { spec: { service: { desiredCount: 1 } } },
    },
    {
      reason: "autoscaling bounds raised",
      base: { spec: { autoscaling: { minTasks: 2, maxTasks: 4 } } },
      patch: { spec: { autoscaling: { minTasks: 3, maxTasks: 6 } } },
    },
    {
      reason: "autoscaling bounds lowered",
      base: { spec: { autoscaling: { minTasks: 3, maxTasks: 6 } } },
      patch: { spec: { autoscaling: { minTasks: 1, maxTasks: 2 } } },
    },
    {
      reason: "a rollout that never becomes healthy and is rolled back",
      patch: { spec: { task: { container: { image: BROKEN } } } },
      broken: true,
    },
  ];
  it.each(cases)("$reason", async ({ base = {}, patch, broken }) => {
    await convergedAndServing(specWith(base));
    if (broken) setImageBehaviour(aws.emulator.world, BROKEN, { failure: "pull" });
    const sampling = startSampling();
    try {
      const changed = specWith(merge(base, patch));
      if (broken) {
        const plan = await planService(aws.clients, changed);
        await applyPlan(plan, () => {});
        const failed = (await ecsService())?.taskDefinition;
        await waitFor("the rollback", async () =>
          (await ecsService())?.deployments?.some((deployment) => deployment.taskDefinition !== failed)
            ? true
            : undefined,
        );
      } else await convergeThroughPasses(aws.clients, changed);
      await settled();
    } finally {
      setImageBehaviour(aws.emulator.world, BROKEN, undefined);
      // A change made in place settles within a few samples; a rollout takes many.
      expectNoGap(await sampling.stop(), 3);
    }
  });
});
