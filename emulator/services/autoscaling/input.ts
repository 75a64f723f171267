/**
 * Reading Application Auto Scaling input: AWS's validation messages, the identity of a scalable target
 * (namespace, resource id, dimension), and NextToken paging.
 */
import { AwsError } from "../../errors.ts";
import { type Input, inputReader } from "../../protocols/input.ts";
import type { Random } from "../../random.ts";

/** The one kind of scalable target the emulator serves: an ECS service's desired count. */
export const ECS_NAMESPACE = "ecs";
export const ECS_DIMENSION = "ecs:service:DesiredCount";
const ECS_RESOURCE_ID = /^service\/[A-Za-z0-9_-]{1,255}\/[A-Za-z0-9_-]{1,255}$/;

/** Every namespace AWS knows (the enum of the 2016-02-06 model): valid input, though only `ecs` is emulated. */
const SERVICE_NAMESPACES = new Set([
  "appstream",
  "cassandra",
  "comprehend",
  "custom-resource",
  "dynamodb",
  "ec2",
  "ecs",
  "elasticache",
  "elasticmapreduce",
  "kafka",
  "lambda",
  "neptune",
  "rds",
  "sagemaker",
  "workspaces",
]);

/** AWS names members camelCase in validation messages (`at 'serviceNamespace'`). */
const wireName = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

export function validation(message: string): AwsError {
  return new AwsError("ValidationException", message);
}

/** A constraint failure worded as AWS words it. */
export function constraint(path: string, value: unknown, detail: string): AwsError {
  return validation(
    `1 validation error detected: Value '${String(value)}' at '${path}' failed to satisfy constraint: ${detail}`,
  );
}

/** A required member that is absent; `path` prefixes it inside nested structures. */
export function missing(name: string, path = ""): AwsError {
  return validation(
    `1 validation error detected: Value null at '${path}${wireName(name)}' failed to satisfy constraint: Member must not be null`,
  );
}

/** Reads `input`; `path` prefixes member names in messages for nested structures. */
export const read = (input: Input, path = "") =>
  inputReader(input, {
    missing: (name) => missing(name, path),
    invalid: (name, detail) =>
      validation(
        `1 validation error detected: Value at '${path}${wireName(name)}' failed to satisfy constraint: Member ${detail}`,
      ),
  });

export type Reader = ReturnType<typeof read>;

/** A valid namespace from the request; whether it is emulated is the caller's question. */
export function readNamespace(args: Reader): string {
  const namespace = args.string("ServiceNamespace");
  if (!SERVICE_NAMESPACES.has(namespace)) {
    throw constraint(
      "serviceNamespace",
      namespace,
      `Member must satisfy enum value set: [${[...SERVICE_NAMESPACES].join(", ")}]`,
    );
  }
  return namespace;
}

export interface TargetIdentity {
  serviceNamespace: string;
  resourceId: string;
  scalableDimension: string;
}

/** The namespace, resource id and dimension naming one ECS scalable target; anything else is refused. */
export function readTargetIdentity(args: Reader): TargetIdentity {
  const serviceNamespace = readNamespace(args);
  const resourceId = args.string("ResourceId");
  const scalableDimension = args.string("ScalableDimension");
  if (serviceNamespace !== ECS_NAMESPACE || scalableDimension !== ECS_DIMENSION) {
    throw validation("Unsupported service namespace, resource type or scalable dimension");
  }
  if (!ECS_RESOURCE_ID.test(resourceId)) {
    throw validation(`Invalid resource id for ecs: ${resourceId} (expected service/<cluster>/<service>)`);
  }
  return { serviceNamespace, resourceId, scalableDimension };
}

/** The optional ResourceId / ScalableDimension filter of the Describe operations. */
export function readFilter(args: Reader): { resourceId?: string; scalableDimension?: string } {
  const resourceId = args.optionalString("ResourceId");
  const scalableDimension = args.optionalString("ScalableDimension");
  if (scalableDimension !== undefined && resourceId === undefined) {
    throw validation("If you specify a scalable dimension, you must also specify a resource ID");
  }
  return { resourceId, scalableDimension };
}

/** `MaxResults` in [1, `limit`], `limit` when absent. */
export function readMaxResults(args: Reader, limit: number): number {
  const maxResults = args.optionalInt("MaxResults") ?? limit;
  if (maxResults < 1 || maxResults > limit) {
    throw constraint("maxResults", maxResults, `Member must have value between 1 and ${limit}`);
  }
  return maxResults;
}

/** One page of `items` from an opaque offset token, like AWS's `NextToken`. */
export function paginate<T>(
  items: T[],
  nextToken: string | undefined,
  limit: number,
): { page: T[]; NextToken?: string } {
  const start = nextToken === undefined ? 0 : Number(nextToken);
  if (!Number.isSafeInteger(start) || start < 0 || start > items.length) {
    throw new AwsError("InvalidNextTokenException", "Invalid token");
  }
  const page = items.slice(start, start + limit);
  return start + limit < items.length ? { page, NextToken: String(start + limit) } : { page };
}

/** A UUID from the seeded random source (policy ARNs, alarm names, activity ids). */
export function uuid(random: Random): string {
  const hex = random.hex(32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
