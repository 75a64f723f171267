/** A short human description of a valid spec: what will run where, and the AWS names it will use. */
import {
  ecsServiceName,
  loadBalancerName,
  loadBalancerSecurityGroupName,
  type ServiceSpec,
  scalingPolicyName,
  TARGET_GROUP_HASH_LENGTH,
  taskDefinitionFamily,
  taskSecurityGroupName,
} from "../../specs/index.ts";

/** Lines describing the service. Secret values never appear: only their names. */
export function summarizeSpec(document: ServiceSpec): string[] {
  const { metadata, spec } = document;
  const name = metadata.name;
  const container = spec.task.container;
  const scaling = spec.autoscaling;
  const vcpu = spec.task.cpu / 1024;
  const secretNames = Object.keys(container.secrets);

  const tasks = scaling
    ? `${spec.service.desiredCount} tasks at start, autoscaling ${scaling.minTasks}-${scaling.maxTasks} at ${scaling.targetCpuPercent}% CPU`
    : `${spec.service.desiredCount} tasks`;
  const subnets = (list: string[]) => (list.length > 0 ? list.join(", ") : "default-for-AZ subnets");

  return [
    `region ${spec.region ?? "(from the AWS environment)"} · cluster ${spec.cluster} · VPC ${spec.network.vpc}`,
    `image ${container.image} · ${vcpu} vCPU / ${spec.task.memory} MiB · container "${container.name}" on port ${container.port}`,
    `${tasks} · grace period ${spec.service.healthCheckGracePeriodSeconds} s · deployment ${spec.service.deployment.minimumHealthyPercent}-${spec.service.deployment.maximumPercent}%`,
    `listener :${spec.loadBalancer.listenerPort} → health check ${spec.loadBalancer.healthCheck.path} every ${spec.loadBalancer.healthCheck.intervalSeconds} s`,
    `load balancer subnets: ${subnets(spec.network.loadBalancerSubnets)} · task subnets: ${subnets(spec.network.taskSubnets)}${spec.network.assignPublicIp ? " (public IP)" : ""}`,
    `environment: ${Object.keys(container.environment).length} variables · secrets: ${secretNames.length > 0 ? secretNames.join(", ") : "none"}`,
    `logs ${spec.logging.logGroup} (${spec.logging.retentionDays} days)`,
    "AWS names:",
    `  security groups   ${loadBalancerSecurityGroupName(name)}, ${taskSecurityGroupName(name)}`,
    `  load balancer     ${loadBalancerName(name)}`,
    `  target group      ${name}-${"x".repeat(TARGET_GROUP_HASH_LENGTH)} (hash of port and VPC)`,
    `  task definition   ${taskDefinitionFamily(name)}`,
    `  service           ${ecsServiceName(name)} in cluster ${spec.cluster}`,
    ...(scaling ? [`  scaling policy    ${scalingPolicyName(name)}`] : []),
  ];
}
