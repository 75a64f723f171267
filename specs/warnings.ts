/**
 * Advice about valid specs that will probably not behave as their author expects. Warnings never
 * fail validation; each names the field to change.
 */
import type { ServiceSpec } from "./schema.ts";

export interface SpecWarning {
  path: readonly PropertyKey[];
  message: string;
}

/** Everything worth a warning in a valid spec. */
export function collectWarnings(document: ServiceSpec): SpecWarning[] {
  const { spec } = document;
  const warnings: SpecWarning[] = [];

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

function hasTag(image: string): boolean {
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  return lastSegment.includes(":");
}
