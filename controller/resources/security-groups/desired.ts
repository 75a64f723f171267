/**
 * The two security groups of a service: the load balancer's, open on the listener port to the
 * internet, and the tasks', open on the container port to the load balancer's group only. Nothing
 * else is ever allowed on the tasks' group: any other rule found there is drift.
 */
import {
  loadBalancerSecurityGroupName,
  type ServiceSpec,
  taskSecurityGroupName,
} from "../../../specs/index.ts";
import type { ResolvedNetwork } from "../../engine/network.ts";
import { type ResourceRole, resourceTags } from "../../ownership.ts";
import type { Permission } from "./permissions.ts";

export interface DesiredSecurityGroup {
  role: Extract<ResourceRole, "alb-security-group" | "task-security-group">;
  name: string;
  /** Immutable in EC2: a change replaces the group. */
  description: string;
  vpcId: string;
  ingress: Permission[];
  egress: Permission[];
  tags: Record<string, string>;
}

const ALL_TRAFFIC_OUT: Permission[] = [{ protocol: "-1", source: { cidr: "0.0.0.0/0" } }];

export function desiredLoadBalancerGroup(
  document: ServiceSpec,
  network: ResolvedNetwork,
): DesiredSecurityGroup {
  const port = document.spec.loadBalancer.listenerPort;
  return {
    role: "alb-security-group",
    name: loadBalancerSecurityGroupName(document.metadata.name),
    description: `ecs-converge: load balancer of ${document.metadata.name}`,
    vpcId: network.vpcId,
    ingress: [
      { protocol: "tcp", fromPort: port, toPort: port, source: { cidr: "0.0.0.0/0" } },
      { protocol: "tcp", fromPort: port, toPort: port, source: { cidrV6: "::/0" } },
    ],
    egress: ALL_TRAFFIC_OUT,
    tags: resourceTags(document, "alb-security-group"),
  };
}

/** `loadBalancerGroupId` may still be unknown while planning a first creation. */
export function desiredTaskGroup(
  document: ServiceSpec,
  network: ResolvedNetwork,
  loadBalancerGroupId: string,
): DesiredSecurityGroup {
  const port = document.spec.task.container.port;
  return {
    role: "task-security-group",
    name: taskSecurityGroupName(document.metadata.name),
    description: `ecs-converge: tasks of ${document.metadata.name}`,
    vpcId: network.vpcId,
    ingress: [{ protocol: "tcp", fromPort: port, toPort: port, source: { groupId: loadBalancerGroupId } }],
    egress: ALL_TRAFFIC_OUT,
    tags: resourceTags(document, "task-security-group"),
  };
}
