/**
 * The task definition family. Revisions are immutable: a new one is registered only when a field
 * that matters differs, after normalising away what ECS fills in on read (essential, tcp, hostPort,
 * empty lists, cpu/memory as strings, the order of environment and secrets). Revisions never change,
 * so their content is cached by ARN.
 */
import {
  type ContainerDefinition,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import { type ServiceSpec, taskDefinitionFamily } from "../../../specs/index.ts";
import type { AwsClients } from "../../aws/clients.ts";
import { ecsTagList } from "../../aws/ecs-tags.ts";
import { ignoreNotFound } from "../../aws/errors.ts";
import { diffFields } from "../../engine/field-diff.ts";
import type { FieldDiff } from "../../engine/plan.ts";
import { ownershipOf, resourceTags } from "../../ownership.ts";

interface NameValue {
  name: string;
  value: string;
}

/** What a revision holds that matters, in one canonical form for both sides. */
export interface TaskDefinitionContent {
  family: string;
  cpu: string;
  memory: string;
  networkMode: string;
  requiresCompatibilities: string[];
  executionRoleArn: string | undefined;
  taskRoleArn: string | undefined;
  container: {
    name: string;
    image: string;
    essential: boolean;
    command: string[] | undefined;
    portMappings: { containerPort: number; hostPort: number; protocol: string }[];
    environment: NameValue[];
    secrets: { name: string; valueFrom: string }[];
    logConfiguration: { logDriver: string; options: Record<string, string> } | undefined;
  };
  /** A second container (never ours): makes the revision differ. */
  extraContainers: number;
}

export interface DesiredTaskDefinition {
  content: TaskDefinitionContent;
  tags: Record<string, string>;
}

export interface ObservedRevision {
  arn: string;
  revision: number;
  content: TaskDefinitionContent;
  /** Read with the revision; ownership tags are set at registration and not expected to change. */
  tags: Record<string, string>;
}

const byName = <T extends { name: string }>(items: T[]) =>
  [...items].sort((a, b) => a.name.localeCompare(b.name));

export function desiredTaskDefinition(document: ServiceSpec, region: string): DesiredTaskDefinition {
  const { task } = document.spec;
  const container = task.container;
  return {
    content: {
      family: taskDefinitionFamily(document.metadata.name),
      cpu: String(task.cpu),
      memory: String(task.memory),
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      executionRoleArn: task.executionRoleArn,
      taskRoleArn: task.taskRoleArn,
      container: {
        name: container.name,
        image: container.image,
        essential: true,
        command: container.command,
        portMappings: [{ containerPort: container.port, hostPort: container.port, protocol: "tcp" }],
        environment: byName(Object.entries(container.environment).map(([name, value]) => ({ name, value }))),
        secrets: byName(Object.entries(container.secrets).map(([name, valueFrom]) => ({ name, valueFrom }))),
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": document.spec.logging.logGroup,
            "awslogs-region": region,
            "awslogs-stream-prefix": document.metadata.name,
          },
        },
      },
      extraContainers: 0,
    },
    tags: resourceTags(document, "task-definition"),
  };
}

function normaliseContainer(container: ContainerDefinition | undefined): TaskDefinitionContent["container"] {
  return {
    name: container?.name ?? "",
    image: container?.image ?? "",
    essential: container?.essential ?? true,
    command: container?.command?.length ? container.command : undefined,
    portMappings: (container?.portMappings ?? []).map((mapping) => ({
      containerPort: mapping.containerPort ?? 0,
      hostPort: mapping.hostPort ?? mapping.containerPort ?? 0,
      protocol: mapping.protocol ?? "tcp",
    })),
    environment: byName(
      (container?.environment ?? []).map((pair) => ({ name: pair.name ?? "", value: pair.value ?? "" })),
    ),
    secrets: byName(
      (container?.secrets ?? []).map((secret) => ({
        name: secret.name ?? "",
        valueFrom: secret.valueFrom ?? "",
      })),
    ),
    logConfiguration: container?.logConfiguration
      ? {
          logDriver: container.logConfiguration.logDriver ?? "",
          options: { ...container.logConfiguration.options },
        }
      : undefined,
  };
}

/** An AWS task definition in the canonical form. */
export function normaliseTaskDefinition(definition: TaskDefinition): TaskDefinitionContent {
  const containers = definition.containerDefinitions ?? [];
  return {
    family: definition.family ?? "",
    cpu: String(definition.cpu ?? ""),
    memory: String(definition.memory ?? ""),
    networkMode: definition.networkMode ?? "",
    requiresCompatibilities: [...(definition.requiresCompatibilities ?? [])].sort(),
    executionRoleArn: definition.executionRoleArn,
    taskRoleArn: definition.taskRoleArn,
    container: normaliseContainer(containers[0]),
    extraContainers: Math.max(0, containers.length - 1),
  };
}

/** Revisions of the family kept ACTIVE besides the one in use, for quick rollbacks by hand. */
export const KEPT_REVISIONS = 5;
/** Older revisions looked at per pass: a long history is pruned a bounded number at a time. */
export const PRUNED_PER_PASS = 20;

/** `web:7` from a task definition ARN. */
export const revisionName = (arn: string): string => arn.split("/").pop() ?? arn;

/** Set on a revision whose rollout the circuit breaker rolled back: it is not rolled out again by itself. */
export const FAILED_ROLLOUT_TAG = "ecs-converge.io/rollout";

export function isFailedRevision(revision: ObservedRevision): boolean {
  return revision.tags[FAILED_ROLLOUT_TAG] === "failed";
}

/** Secret ARNs never appear in a plan. */
const isSecretPath = (path: string) => path.startsWith("container.secrets");

/** The fields in which a revision differs from the desired content (empty: the revision will do). */
export function diffTaskDefinition(
  desired: DesiredTaskDefinition,
  revision: ObservedRevision | undefined,
): FieldDiff[] {
  return diffFields(desired.content, revision?.content ?? {}, { isSensitive: isSecretPath });
}

/** Revisions by ARN: their content never changes, so each is read once per process. */
export class TaskDefinitionCache {
  readonly #revisions = new Map<string, Promise<ObservedRevision>>();

  /** The revision behind an ARN (or `family:revision`). */
  revision(clients: AwsClients, arn: string): Promise<ObservedRevision> {
    let revision = this.#revisions.get(arn);
    if (!revision) {
      revision = clients.ecs
        .send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ["TAGS"] }))
        .then(({ taskDefinition, tags = [] }) => {
          if (!taskDefinition) throw new Error(`ECS returned no task definition for ${arn}`);
          return {
            arn: taskDefinition.taskDefinitionArn ?? arn,
            revision: taskDefinition.revision ?? 0,
            content: normaliseTaskDefinition(taskDefinition),
            tags: Object.fromEntries(tags.map((tag) => [tag.key ?? "", tag.value ?? ""])),
          };
        });
      revision.catch(() => this.#revisions.delete(arn));
      this.#revisions.set(arn, revision);
    }
    return revision;
  }

  /** Drops a revision whose tags changed, so the next read sees them. */
  forget(arn: string): void {
    this.#revisions.delete(arn);
  }
}

/**
 * Records that a revision's rollout failed, on the revision itself (and in this process's cache).
 * Only a revision we registered is tagged: one someone else registered and rolled out is theirs.
 */
export async function markRevisionFailed(
  clients: AwsClients,
  cache: TaskDefinitionCache,
  arn: string,
): Promise<void> {
  const revision = await cache.revision(clients, arn);
  if (ownershipOf(revision.tags, revision.content.family) !== "ours") return;
  await clients.ecs.send(
    new TagResourceCommand({ resourceArn: arn, tags: [{ key: FAILED_ROLLOUT_TAG, value: "failed" }] }),
  );
  cache.forget(arn);
}

/**
 * Clears the failed mark of a revision an operator rolls out again (`apply --retry-failed`): the tag
 * then says `retried`, and a new failure marks it failed again.
 */
export async function clearFailedMark(
  clients: AwsClients,
  cache: TaskDefinitionCache,
  arn: string,
): Promise<void> {
  await clients.ecs.send(
    new TagResourceCommand({ resourceArn: arn, tags: [{ key: FAILED_ROLLOUT_TAG, value: "retried" }] }),
  );
  cache.forget(arn);
}

/** ARNs of the family's ACTIVE revisions, newest first. */
export async function listActiveRevisions(clients: AwsClients, family: string): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: family, status: "ACTIVE", sort: "DESC", nextToken }),
    );
    arns.push(
      ...(page.taskDefinitionArns ?? []).filter((arn) => arn.includes(`:task-definition/${family}:`)),
    );
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

/** Registers a new revision with its tags; returns its ARN. */
export async function registerTaskDefinition(
  clients: AwsClients,
  desired: DesiredTaskDefinition,
): Promise<string> {
  const { content } = desired;
  const container = content.container;
  const { taskDefinition } = await clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: content.family,
      cpu: content.cpu,
      memory: content.memory,
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      executionRoleArn: content.executionRoleArn,
      taskRoleArn: content.taskRoleArn,
      containerDefinitions: [
        {
          name: container.name,
          image: container.image,
          essential: container.essential,
          command: container.command,
          portMappings: container.portMappings.map((mapping) => ({ ...mapping, protocol: "tcp" })),
          environment: container.environment,
          secrets: container.secrets,
          logConfiguration: container.logConfiguration && {
            logDriver: "awslogs",
            options: container.logConfiguration.options,
          },
        },
      ],
      tags: ecsTagList(desired.tags),
    }),
  );
  const arn = taskDefinition?.taskDefinitionArn;
  if (!arn) throw new Error(`ECS registered a revision of ${content.family} without returning its ARN`);
  return arn;
}

export async function deregisterTaskDefinition(clients: AwsClients, arn: string): Promise<void> {
  await ignoreNotFound(() => clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn })));
}
