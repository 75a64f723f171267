/**
 * Advice about valid specs that will probably not behave as their author expects. Warnings never
 * fail validation; each names the field to change.
 */
import type { ServiceSpec } from "./schema.ts";

export interface SpecWarning {
  path: readonly PropertyKey[];
  message: string;
}

/**
 * Everything worth a warning in a valid spec. `written` is the document as written, before defaults,
 * for advice about what its author set rather than what the defaults filled in.
 */
export function collectWarnings(document: ServiceSpec, written: unknown = {}): SpecWarning[] {
  const { spec } = document;
  const warnings: SpecWarning[] = [];

  const scaling = spec.autoscaling;
  if (scaling && valueWritten(written, ["spec", "service", "desiredCount"])) {
    warnings.push({
      path: ["spec", "service", "desiredCount"],
      message:
        `desiredCount is managed by autoscaling within [${scaling.minTasks}, ${scaling.maxTasks}]: ` +
        `${spec.service.desiredCount} is only the count the service starts with, and editing it later changes nothing; ` +
        "change autoscaling.minTasks or maxTasks instead, or remove desiredCount",
    });
  }

  const check = spec.loadBalancer.healthCheck;
  const secondsToHealthy = check.healthyThreshold * check.intervalSeconds;
  if (spec.service.healthCheckGracePeriodSeconds < secondsToHealthy) {
    warnings.push({
      path: ["spec", "service", "healthCheckGracePeriodSeconds"],
      message:
        `${spec.service.healthCheckGracePeriodSeconds} s is shorter than the ${secondsToHealthy} s a new task needs to pass ` +
        `${check.healthyThreshold} health checks ${check.intervalSeconds} s apart; ECS may replace tasks that are still starting. ` +
        `Set it to at least ${secondsToHealthy}.`,
    });
  }

  if (!spec.network.assignPublicIp && spec.network.taskSubnets.length === 0) {
    warnings.push({
      path: ["spec", "network", "assignPublicIp"],
      message:
        "tasks in the VPC's default (public) subnets without a public IP cannot pull images or reach AWS APIs " +
        "unless the VPC has a NAT gateway or VPC endpoints; set taskSubnets to private subnets, or assignPublicIp: true",
    });
  }

  const image = spec.task.container.image;
  if (!image.includes("@sha256:") && (!hasTag(image) || image.endsWith(":latest"))) {
    warnings.push({
      path: ["spec", "task", "container", "image"],
      message:
        "a mutable tag (latest, or none) makes deployments unrepeatable and a new push invisible to ecs-converge; pin a version tag or a digest",
    });
  }

  return warnings;
}

/** Whether the written document has a value at `path` (a field left out gets its default silently). */
function valueWritten(written: unknown, path: readonly string[]): boolean {
  let value = written;
  for (const key of path) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, key)) return false;
    value = (value as Record<string, unknown>)[key];
  }
  return value !== undefined && value !== null;
}

function hasTag(image: string): boolean {
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  return lastSegment.includes(":");
}
