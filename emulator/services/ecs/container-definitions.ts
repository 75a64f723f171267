/**
 * One container of a task definition: validated as RegisterTaskDefinition does, and read back with
 * AWS's server defaults (`cpu: 0`, `essential: true`, empty `environment`, `mountPoints`,
 * `volumesFrom`, `systemControls`, port `protocol: "tcp"`, `hostPort` equal to `containerPort` under awsvpc).
 */
import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import type { Input } from "../../protocols/input.ts";
import { clientException, read, structures } from "./errors.ts";
import type { ContainerSpec, LogSettings } from "./state.ts";

const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,255}$/;

export interface NormalizedContainer {
  /** As DescribeTaskDefinition shows it. */
  definition: ContainerDefinition;
  spec: ContainerSpec;
}

/** What the task around a container decides for it. */
export interface TaskContext {
  networkMode: string;
  fargate: boolean;
  taskMemory: string | undefined;
  executionRoleArn: string | undefined;
}

function portMappings(container: Input, task: TaskContext): NonNullable<ContainerDefinition["portMappings"]> {
  return structures(container, "portMappings").map((mapping) => {
    const args = read(mapping);
    const containerPort = args.optionalInt("containerPort");
    if (containerPort === undefined || containerPort < 1 || containerPort > 65535)
      throw clientException("Invalid port mapping: containerPort must be between 1 and 65535.");
    const hostPort = args.optionalInt("hostPort");
    if (task.networkMode === "awsvpc" && hostPort !== undefined && hostPort !== containerPort) {
      throw clientException(
        "When networkMode=awsvpc, the host ports and container ports in port mappings must match.",
      );
    }
    const protocol = args.optionalString("protocol") ?? "tcp";
    if (protocol !== "tcp" && protocol !== "udp") throw clientException(`Invalid protocol: ${protocol}`);
    return {
      ...mapping,
      containerPort,
      // Under awsvpc the host port is the container port; bridge mode leaves it dynamic (0).
      hostPort:
        hostPort ?? (task.networkMode === "awsvpc" || task.networkMode === "host" ? containerPort : 0),
      protocol,
    };
  });
}

function environment(container: Input): Record<string, string> {
  const values: Record<string, string> = {};
  for (const pair of structures(container, "environment")) {
    const args = read(pair);
    values[args.string("name")] = args.optionalString("value") ?? "";
  }
  return values;
}

function logSettings(container: Input, name: string, task: TaskContext): LogSettings | undefined {
  const configuration = read(container).optionalObject("logConfiguration");
  if (!configuration) return undefined;
  const driver = read(configuration).string("logDriver");
  if (driver !== "awslogs") return undefined;
  const options = (read(configuration).optionalObject("options") ?? {}) as Record<string, unknown>;
  const option = (key: string, required: boolean): string | undefined => {
    const value = options[key];
    if (typeof value === "string" && value !== "") return value;
    if (required)
      throw clientException(
        `Log driver awslogs option '${key}' should not be null or empty (container ${name}).`,
      );
    return undefined;
  };
  const group = option("awslogs-group", true) as string;
  const region = option("awslogs-region", true) as string;
  const streamPrefix = option("awslogs-stream-prefix", task.fargate);
  if (task.fargate && task.executionRoleArn === undefined)
    throw clientException(
      "Fargate requires task definition to have execution role ARN to support log driver awslogs.",
    );
  return { group, region, streamPrefix: streamPrefix ?? "" };
}

/** Validates one container definition and fills in what AWS fills in. */
export function normalizeContainer(container: Input, task: TaskContext): NormalizedContainer {
  const args = read(container);
  const name = args.optionalString("name");
  if (name === undefined || !NAME_PATTERN.test(name))
    throw clientException(
      "Container.name should not be null or empty, and may contain letters, numbers, hyphens and underscores.",
    );
  const image = args.optionalString("image");
  if (image === undefined || image.trim() === "")
    throw clientException("Container.image should not be null or empty.");
  const memory = args.optionalInt("memory");
  const memoryReservation = args.optionalInt("memoryReservation");
  if (task.taskMemory === undefined && memory === undefined && memoryReservation === undefined) {
    throw clientException(
      `Invalid setting for container '${name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
    );
  }
  const essential = args.optionalBool("essential") ?? true;
  const mappings = portMappings(container, task);
  const logs = logSettings(container, name, task);
  const stopTimeout = args.optionalInt("stopTimeout");
  const definition: ContainerDefinition = {
    ...(structuredClone(container) as ContainerDefinition),
    name,
    image,
    cpu: args.optionalInt("cpu") ?? 0,
    essential,
    portMappings: mappings,
    environment: structures(container, "environment").map((pair) => ({ ...pair })),
    mountPoints: structures(container, "mountPoints").map((point) => ({ ...point })),
    volumesFrom: structures(container, "volumesFrom").map((from) => ({ ...from })),
    systemControls: structures(container, "systemControls").map((control) => ({ ...control })),
  };
  return {
    definition,
    spec: {
      name,
      image,
      essential,
      containerPorts: mappings.map((mapping) => mapping.containerPort as number),
      stopTimeoutSeconds: stopTimeout,
      environment: environment(container),
      secretNames: structures(container, "secrets").map((secret) => read(secret).string("name")),
      logs,
    },
  };
}
