/**
 * Cross-field rules: constraints no single field can express. Each rule reports at the field a user
 * should change, with the numbers that make the rule fail, so the message says how to fix it.
 */
import type { z } from "zod";
import { describeFargateMemory, FARGATE_CPU_UNITS, type FargateCpu, fargateMemoryFor } from "./fargate.ts";

type Context = z.RefinementCtx;

/** A health check must time out before the next probe starts (ELB rejects it otherwise). */
export function checkHealthCheckRules(
  check: { intervalSeconds: number; timeoutSeconds: number },
  ctx: Context,
): void {
  if (check.timeoutSeconds >= check.intervalSeconds) {
    ctx.addIssue({
      code: "custom",
      path: ["timeoutSeconds"],
      message: `must be less than intervalSeconds (${check.intervalSeconds})`,
    });
  }
}

/** A rolling deployment needs room between the two bounds, or it can neither start nor stop a task. */
export function checkDeploymentRules(
  deployment: { minimumHealthyPercent: number; maximumPercent: number },
  ctx: Context,
): void {
  if (deployment.maximumPercent <= deployment.minimumHealthyPercent) {
    ctx.addIssue({
      code: "custom",
      path: ["maximumPercent"],
      message: `must be greater than minimumHealthyPercent (${deployment.minimumHealthyPercent}), or a deployment cannot replace any task`,
    });
  }
}

export function checkAutoscalingRules(scaling: { minTasks: number; maxTasks: number }, ctx: Context): void {
  if (scaling.maxTasks < scaling.minTasks) {
    ctx.addIssue({
      code: "custom",
      path: ["maxTasks"],
      message: `must be >= minTasks (${scaling.minTasks})`,
    });
  }
}

/** Reads a nested value of a document that may not have passed its own field checks. */
function valueAt(value: unknown, ...path: string[]): unknown {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

const isNumber = (value: unknown): value is number => typeof value === "number";
const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * Rules that span sections of the document. They run even when other fields failed (so a user sees
 * every problem at once), hence each rule checks the types of what it reads.
 */
export function checkDocumentRules(document: unknown, ctx: Context): void {
  const spec = valueAt(document, "spec");

  const cpu = valueAt(spec, "task", "cpu");
  const memory = valueAt(spec, "task", "memory");
  if (isFargateCpu(cpu) && isNumber(memory) && !fargateMemoryFor(cpu).includes(memory)) {
    ctx.addIssue({
      code: "custom",
      path: ["spec", "task", "memory"],
      message: `${memory} MiB is not a Fargate size for cpu ${cpu}: use ${describeFargateMemory(cpu)}`,
    });
  }

  const minTasks = valueAt(spec, "autoscaling", "minTasks");
  const maxTasks = valueAt(spec, "autoscaling", "maxTasks");
  const desired = valueAt(spec, "service", "desiredCount");
  if (
    isNumber(minTasks) &&
    isNumber(maxTasks) &&
    isNumber(desired) &&
    (desired < minTasks || desired > maxTasks)
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["spec", "service", "desiredCount"],
      message: `must be within autoscaling's [minTasks, maxTasks] = [${minTasks}, ${maxTasks}]`,
    });
  }

  const environment = valueAt(spec, "task", "container", "environment");
  const secrets = valueAt(spec, "task", "container", "secrets");
  if (isRecord(environment) && isRecord(secrets)) {
    for (const name of Object.keys(secrets)) {
      if (Object.hasOwn(environment, name)) {
        ctx.addIssue({
          code: "custom",
          path: ["spec", "task", "container", "secrets", name],
          message: "is also set in environment: a variable comes from one place, remove one of them",
        });
      }
    }
  }

  const lbSubnets = valueAt(spec, "network", "loadBalancerSubnets");
  if (Array.isArray(lbSubnets) && lbSubnets.length === 1) {
    ctx.addIssue({
      code: "custom",
      path: ["spec", "network", "loadBalancerSubnets"],
      message:
        "a load balancer needs subnets in at least two Availability Zones: list two or more, or none for the VPC's defaults",
    });
  }
  for (const field of ["loadBalancerSubnets", "taskSubnets"]) {
    const subnets = valueAt(spec, "network", field);
    if (!Array.isArray(subnets)) continue;
    subnets.forEach((subnet, index) => {
      if (typeof subnet === "string" && subnets.indexOf(subnet) !== index) {
        ctx.addIssue({
          code: "custom",
          path: ["spec", "network", field, index],
          message: `${subnet} is listed twice`,
        });
      }
    });
  }
}

function isFargateCpu(value: unknown): value is FargateCpu {
  return (FARGATE_CPU_UNITS as readonly unknown[]).includes(value);
}
