/**
 * Task definitions: RegisterTaskDefinition (a new revision every time, with Fargate's rules),
 * DescribeTaskDefinition (by family, family:revision or ARN; INACTIVE ones stay describable),
 * DeregisterTaskDefinition and ListTaskDefinitions.
 */
import type { Attribute, TaskDefinition } from "@aws-sdk/client-ecs";
import type { Input } from "../../protocols/input.ts";
import type { Operation } from "../service-definition.ts";
import { CALLER_ARN, taskDefinitionArn, taskDefinitionRefOf } from "./arns.ts";
import { type NormalizedContainer, normalizeContainer, type TaskContext } from "./container-definitions.ts";
import { clientException, invalidParameter, maxResults, read, structures } from "./errors.ts";
import { cpuUnits, isFargateSize, memoryMiB } from "./fargate.ts";
import { paginate } from "./pagination.ts";
import type { EcsState, TaskDefinitionRevision } from "./state.ts";
import { copyTags, readTags } from "./tags.ts";

const FAMILY_PATTERN = /^[a-zA-Z0-9_-]{1,255}$/;
const NETWORK_MODES = new Set(["bridge", "host", "awsvpc", "none"]);
const COMPATIBILITIES = new Set(["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"]);
const MAX_CONTAINERS = 10;

/** The revision a reference names: `family` is its latest ACTIVE revision. Undefined when there is none. */
export function findTaskDefinition(state: EcsState, reference: string): TaskDefinitionRevision | undefined {
  const { family, revision } = taskDefinitionRefOf(reference);
  const revisions = state.families.get(family) ?? [];
  if (revision !== undefined) return revisions[revision - 1];
  return revisions.findLast((candidate) => candidate.status === "ACTIVE");
}

/** A task definition as DescribeTaskDefinition returns it. */
export function describeTaskDefinition(definition: TaskDefinitionRevision): TaskDefinition {
  return {
    ...structuredClone(definition.body),
    status: definition.status,
    registeredAt: new Date(definition.registeredAt),
    ...(definition.deregisteredAt === undefined
      ? {}
      : { deregisteredAt: new Date(definition.deregisteredAt) }),
  };
}

/** `cpu`/`memory` as AWS stores them: units and MiB written as plain numbers. */
function taskSize(args: ReturnType<typeof read>, name: "cpu" | "memory"): string | undefined {
  const value = args.optionalString(name);
  if (value === undefined) return undefined;
  const parsed = name === "cpu" ? cpuUnits(value) : memoryMiB(value);
  if (parsed === undefined) throw clientException(`Invalid '${name}' setting for task: ${value}`);
  return String(parsed);
}

function checkFargate(networkMode: string, cpu: string | undefined, memory: string | undefined): void {
  if (networkMode !== "awsvpc") throw clientException("Fargate only supports network mode ‘awsvpc’.");
  if (cpu === undefined) throw clientException("Fargate requires that 'cpu' be defined at the task level.");
  if (memory === undefined)
    throw clientException("Fargate requires that 'memory' be defined at the task level.");
  if (!isFargateSize(Number(cpu), Number(memory))) {
    throw clientException(
      `No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. See the Amazon ECS documentation for the valid values.`,
    );
  }
}

/** The capabilities a container instance would need, as AWS lists them. */
function requiresAttributes(
  networkMode: string,
  input: Input,
  containers: NormalizedContainer[],
): Attribute[] {
  const names = new Set<string>();
  if (networkMode === "awsvpc") {
    names.add("ecs.capability.task-eni");
    names.add("com.amazonaws.ecs.capability.docker-remote-api.1.18");
  }
  if (containers.some((container) => container.spec.logs)) {
    names.add("com.amazonaws.ecs.capability.logging-driver.awslogs");
    names.add("com.amazonaws.ecs.capability.docker-remote-api.1.19");
    if (typeof input.executionRoleArn === "string") names.add("ecs.capability.execution-role-awslogs");
  }
  if (typeof input.taskRoleArn === "string") names.add("com.amazonaws.ecs.capability.task-iam-role");
  return [...names].map((name) => ({ name }));
}

function register(input: Input, state: EcsState, region: string, now: number): TaskDefinitionRevision {
  const args = read(input);
  const family = args.string("family");
  if (!FAMILY_PATTERN.test(family))
    throw clientException(
      "Family may contain only letters, numbers, hyphens and underscores, up to 255 characters.",
    );
  const networkMode = args.optionalString("networkMode") ?? "bridge";
  if (!NETWORK_MODES.has(networkMode)) throw clientException(`Invalid networkMode: ${networkMode}`);
  const requires = args.stringList("requiresCompatibilities");
  for (const compatibility of requires) {
    if (!COMPATIBILITIES.has(compatibility)) throw clientException(`Invalid compatibility: ${compatibility}`);
  }
  const cpu = taskSize(args, "cpu");
  const memory = taskSize(args, "memory");
  const fargate = requires.includes("FARGATE");
  if (fargate) checkFargate(networkMode, cpu, memory);
  const containerInputs = structures(input, "containerDefinitions");
  if (containerInputs.length === 0) throw clientException("Container list cannot be empty.");
  if (containerInputs.length > MAX_CONTAINERS)
    throw clientException(`A task definition can have at most ${MAX_CONTAINERS} containers.`);
  const context: TaskContext = {
    networkMode,
    fargate,
    taskMemory: memory,
    executionRoleArn: args.optionalString("executionRoleArn"),
  };
  const containers = containerInputs.map((container) => normalizeContainer(container, context));
  const names = new Set<string>();
  for (const { spec } of containers) {
    if (names.has(spec.name)) throw clientException(`Duplicate container name found: ${spec.name}`);
    names.add(spec.name);
  }
  if (!containers.some(({ spec }) => spec.essential))
    throw clientException("Task definition must have at least one essential container.");
  const tags = readTags(input);

  const revisions = state.families.get(family) ?? [];
  const revision = revisions.length + 1;
  const arn = taskDefinitionArn(region, family, revision);
  const fargateCompatible = networkMode === "awsvpc" && cpu !== undefined && memory !== undefined;
  // Echo what the caller gave, minus what is not part of the definition or is computed below.
  const {
    tags: _tags,
    requiresCompatibilities: _requires,
    cpu: _cpu,
    memory: _memory,
    ...given
  } = structuredClone(input);
  const body: TaskDefinition = {
    ...(given as TaskDefinition),
    taskDefinitionArn: arn,
    containerDefinitions: containers.map((container) => container.definition),
    family,
    networkMode: networkMode as TaskDefinition["networkMode"],
    revision,
    volumes: structures(input, "volumes").map((volume) => ({ ...volume })),
    requiresAttributes: requiresAttributes(networkMode, input, containers),
    placementConstraints: structures(input, "placementConstraints").map((constraint) => ({ ...constraint })),
    compatibilities: fargateCompatible ? ["EC2", "FARGATE"] : ["EC2"],
    ...(requires.length > 0
      ? { requiresCompatibilities: requires as TaskDefinition["requiresCompatibilities"] }
      : {}),
    ...(cpu === undefined ? {} : { cpu }),
    ...(memory === undefined ? {} : { memory }),
    registeredBy: CALLER_ARN,
  };
  const definition: TaskDefinitionRevision = {
    arn,
    family,
    revision,
    status: "ACTIVE",
    registeredAt: now,
    deregisteredAt: undefined,
    tags,
    cpu,
    memory,
    networkMode,
    fargateCompatible,
    containers: containers.map((container) => container.spec),
    body,
  };
  revisions.push(definition);
  state.families.set(family, revisions);
  return definition;
}

export const taskDefinitionOperations: Record<string, Operation> = {
  RegisterTaskDefinition(input, context) {
    const definition = register(input, context.region.ecs, context.region.name, context.now);
    return { taskDefinition: describeTaskDefinition(definition), tags: copyTags(definition.tags) };
  },

  DescribeTaskDefinition(input, context) {
    const args = read(input);
    const definition = findTaskDefinition(context.region.ecs, args.string("taskDefinition"));
    if (!definition) throw clientException("Unable to describe task definition.");
    const withTags = args.stringList("include").includes("TAGS");
    return {
      taskDefinition: describeTaskDefinition(definition),
      ...(withTags ? { tags: copyTags(definition.tags) } : {}),
    };
  },

  DeregisterTaskDefinition(input, context) {
    const reference = read(input).string("taskDefinition");
    if (taskDefinitionRefOf(reference).revision === undefined)
      throw clientException("Invalid revision number. Number: ");
    const definition = findTaskDefinition(context.region.ecs, reference);
    if (!definition) throw clientException("The specified task definition does not exist.");
    if (definition.status === "ACTIVE") {
      definition.status = "INACTIVE";
      definition.deregisteredAt = context.now;
    }
    return { taskDefinition: describeTaskDefinition(definition) };
  },

  ListTaskDefinitions(input, context) {
    const args = read(input);
    // Despite its name, familyPrefix matches the whole family name (AWS's documented behaviour).
    const family = args.optionalString("familyPrefix");
    const status = args.optionalString("status") ?? "ACTIVE";
    if (!["ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS"].includes(status))
      throw invalidParameter(`Invalid status: ${status}`);
    const sort = args.optionalString("sort") ?? "ASC";
    if (sort !== "ASC" && sort !== "DESC") throw invalidParameter(`Invalid sort: ${sort}`);
    const limit = maxResults(input, 100);
    const arns = [...context.region.ecs.families.entries()]
      .filter(([name]) => family === undefined || name === family)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .flatMap(([, revisions]) => revisions)
      .filter((definition) => definition.status === status)
      .map((definition) => definition.arn);
    if (sort === "DESC") arns.reverse();
    const { page, nextToken } = paginate(arns, args.optionalString("nextToken"), limit);
    return { taskDefinitionArns: page, nextToken };
  },
};
