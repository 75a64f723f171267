/**
 * ECS's ARNs and the identifiers operations accept in their place: a cluster by name or ARN, a
 * service by name or ARN (old `service/name` or new `service/cluster/name` format), a task by id or
 * ARN, a task definition by `family`, `family:revision` or ARN.
 */
import { ACCOUNT_ID, arn, requestId } from "../../identity.ts";
import type { Random } from "../../random.ts";
import { clientException, invalidParameter } from "./errors.ts";

export const clusterArn = (region: string, cluster: string) => arn("ecs", region, `cluster/${cluster}`);

export const serviceArn = (region: string, cluster: string, service: string) =>
  arn("ecs", region, `service/${cluster}/${service}`);

export const taskArn = (region: string, cluster: string, taskId: string) =>
  arn("ecs", region, `task/${cluster}/${taskId}`);

export const taskDefinitionArn = (region: string, family: string, revision: number) =>
  arn("ecs", region, `task-definition/${family}:${revision}`);

export const containerArn = (region: string, cluster: string, taskId: string, random: Random) =>
  arn("ecs", region, `container/${cluster}/${taskId}/${uuid(random)}`);

/** Who registered a task definition or created a service: the emulator's one principal. */
export const CALLER_ARN = `arn:aws:iam::${ACCOUNT_ID}:root`;

/** A UUID, for attachment, event and container ids. */
export const uuid = (random: Random) => requestId(random);

/** A deployment id: `ecs-svc/` and 19 digits. */
export function deploymentId(random: Random): string {
  let digits = String(random.int(1, 9));
  while (digits.length < 19) digits += String(random.int(0, 9));
  return `ecs-svc/${digits}`;
}

const ECS_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:([a-z-]+)\/(.+)$/;

/** The resource type and path of an ECS ARN (`cluster`, `web`), or undefined for a plain name. */
export function parseArn(value: string): { type: string; path: string } | undefined {
  const match = value.match(ECS_ARN);
  return match ? { type: match[1] as string, path: match[2] as string } : undefined;
}

/** A cluster name or ARN → the name. */
export function clusterNameOf(reference: string): string {
  if (!reference.startsWith("arn:")) return reference;
  const parsed = parseArn(reference);
  if (parsed?.type !== "cluster") throw invalidParameter(`Invalid identifier: ${reference}`);
  return parsed.path;
}

/** A service name or ARN → its name, and its cluster when the ARN names one. */
export function serviceRefOf(reference: string): { cluster?: string; name: string } {
  if (!reference.startsWith("arn:")) return { name: reference };
  const parsed = parseArn(reference);
  if (parsed?.type !== "service") throw invalidParameter(`Invalid identifier: ${reference}`);
  const parts = parsed.path.split("/");
  if (parts.length === 1) return { name: parts[0] as string };
  if (parts.length === 2) return { cluster: parts[0] as string, name: parts[1] as string };
  throw invalidParameter("Invalid identifier: Unexpected number of separators");
}

/** A task id or ARN → the id. */
export function taskIdOf(reference: string): string {
  if (!reference.startsWith("arn:")) return reference;
  const parsed = parseArn(reference);
  if (parsed?.type !== "task") throw invalidParameter(`Invalid identifier: ${reference}`);
  return parsed.path.split("/").at(-1) as string;
}

/** `family`, `family:revision` or a task definition ARN → family and revision (undefined: the latest ACTIVE). */
export function taskDefinitionRefOf(reference: string): { family: string; revision?: number } {
  let text = reference;
  if (reference.startsWith("arn:")) {
    const parsed = parseArn(reference);
    if (parsed?.type !== "task-definition") throw invalidParameter(`Invalid identifier: ${reference}`);
    text = parsed.path;
  }
  const [family = "", revision, extra] = text.split(":");
  if (extra !== undefined || family === "") throw invalidParameter(`Invalid identifier: ${reference}`);
  if (revision === undefined) return { family };
  if (!/^[1-9]\d*$/.test(revision)) throw clientException(`Invalid revision number. Number: ${revision}`);
  return { family, revision: Number(revision) };
}
