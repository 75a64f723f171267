/**
 * The repository's sample service for real, on one machine: an in-process emulator whose tasks run as
 * sample-app processes and whose load balancer serves real HTTP on loopback, the controller converging
 * `service.yaml` (edited by patches, as a user edits the file), and the waits that say a change has
 * played out. Shared by the zero-downtime proof (test/) and its figures (bench/).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { parse, stringify } from "yaml";
import { type AwsClients, createAwsClients, destroyAwsClients } from "../../controller/aws/clients.ts";
import type { ServicePlan } from "../../controller/engine/reconcile.ts";
import { type Emulator, ScaledClock, startEmulator } from "../../emulator/index.ts";
import { parseSpec, type ServiceSpec } from "../../specs/index.ts";
import { merge } from "../../specs/test-builders.ts";
import { convergeThroughPasses } from "./converge.ts";
import type { Outcome } from "./request-stream.ts";
import { waitFor } from "./wait-for.ts";

export type Patch = Parameters<typeof merge>[1];

const SAMPLE_APP = fileURLToPath(new URL("../../sample-app/server.ts", import.meta.url));
const SERVICE_YAML = fileURLToPath(new URL("../../service.yaml", import.meta.url));
/** An image whose container exits at once: a rollout that never becomes healthy. */
export const EXITING_IMAGE = "000000000000.dkr.ecr.us-east-1.amazonaws.com/exiting-app:2.0.0";
const DEADLINE_MS = 60_000;

/** A kind of change to service.yaml, and what the service looks like once it has played out. */
export interface ChangeKind {
  name: string;
  patch: Patch;
  /** Tasks running once it is done. */
  tasks: number;
  /** The APP_VERSION answering once it is done, when the change brings a new one. */
  version?: string;
}

/** Every kind of change the controller makes in place or by rolling deployment, in an order that builds on the last. */
export const CHANGE_KINDS: readonly ChangeKind[] = [
  {
    name: "image and environment",
    patch: {
      spec: {
        task: {
          container: {
            image: "000000000000.dkr.ecr.us-east-1.amazonaws.com/sample-app:1.0.1",
            environment: { APP_VERSION: "1.0.1" },
          },
        },
      },
    },
    tasks: 2,
    version: "1.0.1",
  },
  {
    name: "health-check settings",
    patch: { spec: { loadBalancer: { healthCheck: { intervalSeconds: 15, healthyThreshold: 2 } } } },
    tasks: 2,
  },
  { name: "task size", patch: { spec: { task: { cpu: 512, memory: 1024 } } }, tasks: 2 },
  { name: "scale out (minTasks 3)", patch: { spec: { autoscaling: { minTasks: 3 } } }, tasks: 3 },
  { name: "scale in (maxTasks 2)", patch: { spec: { autoscaling: { minTasks: 2, maxTasks: 2 } } }, tasks: 2 },
  {
    name: "autoscaling bounds",
    patch: { spec: { autoscaling: { maxTasks: 6, targetCpuPercent: 70 } } },
    tasks: 2,
  },
  {
    name: "deregistration delay (and a rollout)",
    patch: {
      spec: {
        loadBalancer: { deregistrationDelaySeconds: 10 },
        task: { container: { environment: { APP_VERSION: "1.0.2" } } },
      },
    },
    tasks: 2,
    version: "1.0.2",
  },
  {
    // Make-before-break across passes: a new target group on the new port, attached at weight 0, the
    // tasks registered in both, the listener moved once they are healthy, the old group removed last.
    name: "container port (and a rollout)",
    patch: { spec: { task: { container: { port: 8080, environment: { APP_VERSION: "1.0.3" } } } } },
    tasks: 2,
    version: "1.0.3",
  },
];

/** The failing rollout, rolled back by the circuit breaker: answers stay on the last good version. */
export const FAILING_ROLLOUT: Patch = {
  spec: { task: { container: { image: EXITING_IMAGE, environment: { APP_VERSION: "2.0.0" } } } },
};

export const versionOf = (outcome: Outcome): string | undefined => {
  if (!("body" in outcome)) return undefined;
  try {
    return (JSON.parse(outcome.body) as { version?: string }).version;
  } catch {
    return undefined;
  }
};

export const failuresIn = (outcomes: readonly Outcome[]): Outcome[] =>
  outcomes.filter((outcome) => !("status" in outcome) || outcome.status < 200 || outcome.status > 299);

export class SampleService {
  readonly emulator: Emulator;
  readonly clients: AwsClients;
  #document: Record<string, unknown>;

  private constructor(emulator: Emulator, clients: AwsClients) {
    this.emulator = emulator;
    this.clients = clients;
    this.#document = parse(readFileSync(SERVICE_YAML, "utf8")) as Record<string, unknown>;
  }

  /** An emulator at `speed` simulated seconds per real second, the sample app and an exiting image mapped. */
  static async start(speed: number): Promise<SampleService> {
    const emulator = await startEmulator({
      port: 0,
      clock: new ScaledClock(speed),
      // The load balancer's provisioning is not what is measured: two minutes would be seconds of nothing.
      timings: { loadBalancerProvisioningMs: 20_000 },
      images: [
        { pattern: "*/sample-app:*", command: ["node", SAMPLE_APP] },
        { pattern: "*/exiting-app:*", command: ["node", "-e", "process.exit(3)"] },
      ],
    });
    const clients = createAwsClients({ region: "us-east-1", endpoint: emulator.url, maxAttempts: 3 });
    return new SampleService(emulator, clients);
  }

  /** The spec as it stands: service.yaml with every patch so far. */
  get document(): Record<string, unknown> {
    return this.#document;
  }

  /** service.yaml with `patch` applied (and kept), as the controller loads it. */
  edit(patch: Patch): ServiceSpec {
    this.#document = merge(this.#document, patch);
    return parseSpec(stringify(this.#document), "service.yaml").spec;
  }

  /** Edits and converges through as many passes as the change takes; returns the passes that changed something. */
  apply(patch: Patch): Promise<ServicePlan[]> {
    return convergeThroughPasses(this.clients, this.edit(patch), { deadlineMs: DEADLINE_MS });
  }

  /** Where the listener answers on this machine. */
  url(): string {
    const url = this.emulator.loadBalancers.urlOf("web", 80);
    if (!url) throw new Error("the listener is not served");
    return url;
  }

  async ecsService() {
    const { services = [] } = await this.clients.ecs.send(
      new DescribeServicesCommand({ cluster: "web", services: ["web"] }),
    );
    return services[0];
  }

  async tasks(desiredStatus: "RUNNING" | "STOPPED"): Promise<Task[]> {
    const { taskArns = [] } = await this.clients.ecs.send(
      new ListTasksCommand({ cluster: "web", serviceName: "web", desiredStatus }),
    );
    if (taskArns.length === 0) return [];
    const { tasks = [] } = await this.clients.ecs.send(
      new DescribeTasksCommand({ cluster: "web", tasks: taskArns }),
    );
    return tasks;
  }

  /** The newest task definition revision (a failed rollout's, after one). */
  async newestRevision(): Promise<string | undefined> {
    const { taskDefinitionArns = [] } = await this.clients.ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: "web", sort: "DESC", maxResults: 1 }),
    );
    return taskDefinitionArns[0];
  }

  async healthyTargets(): Promise<number> {
    const { TargetGroups = [] } = await this.clients.elbv2.send(new DescribeTargetGroupsCommand({}));
    let healthy = 0;
    for (const group of TargetGroups) {
      const { TargetHealthDescriptions = [] } = await this.clients.elbv2.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }),
      );
      healthy += TargetHealthDescriptions.filter((target) => target.TargetHealth?.State === "healthy").length;
    }
    return healthy;
  }

  /**
   * One COMPLETED deployment, `count` tasks running, each a healthy target, and every task that was
   * asked to stop stopped: the change has played out to its end, draining and SIGTERM included.
   */
  async stableWith(count: number): Promise<void> {
    await waitFor(
      `the service to be stable with ${count} healthy tasks`,
      async () => {
        const service = await this.ecsService();
        const deployments = service?.deployments ?? [];
        const stable =
          deployments.length === 1 &&
          deployments[0]?.rolloutState === "COMPLETED" &&
          service?.desiredCount === count &&
          service.runningCount === count;
        if (!stable) return undefined;
        const stopping = (await this.tasks("STOPPED")).some((task) => task.lastStatus !== "STOPPED");
        return (await this.tasks("RUNNING")).length === count &&
          (await this.healthyTargets()) === count &&
          !stopping
          ? true
          : undefined;
      },
      DEADLINE_MS,
    );
  }

  /** Waits until the circuit breaker has rolled the service back to `revision` and it is steady there. */
  async rolledBackTo(revision: string | undefined): Promise<void> {
    await waitFor(
      "the failed rollout to be rolled back",
      async () => {
        const service = await this.ecsService();
        const deployments = service?.deployments ?? [];
        const rolledBack = (service?.events ?? []).some((event) => /rolling back/.test(event.message ?? ""));
        return deployments.length === 1 &&
          deployments[0]?.taskDefinition === revision &&
          deployments[0]?.rolloutState === "COMPLETED" &&
          rolledBack
          ? true
          : undefined;
      },
      DEADLINE_MS,
    );
  }

  async close(): Promise<void> {
    destroyAwsClients(this.clients);
    await this.emulator.close();
  }
}
