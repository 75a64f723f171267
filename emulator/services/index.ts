/** The services the emulator serves, their lifecycles and their control routes: the one list to extend. */
import type { ControlRoute } from "../control.ts";
import type { Lifecycle, World } from "../world.ts";
import { autoscalingControlRoutes } from "./autoscaling/control.ts";
import { tickAutoscaling } from "./autoscaling/lifecycle.ts";
import { autoscalingService } from "./autoscaling/operations.ts";
import { tickDynamodb } from "./dynamodb/lifecycle.ts";
import { dynamodbService } from "./dynamodb/operations.ts";
import { ec2ControlRoutes } from "./ec2/control.ts";
import { tickEc2 } from "./ec2/lifecycle.ts";
import { ec2Service } from "./ec2/operations.ts";
import { ecsControlRoutes } from "./ecs/control.ts";
import { tickEcs } from "./ecs/lifecycle.ts";
import { ecsService } from "./ecs/operations.ts";
import { elbv2ControlRoutes } from "./elbv2/control.ts";
import { tickElbv2 } from "./elbv2/lifecycle.ts";
import { elbv2Service } from "./elbv2/operations.ts";
import { logsService } from "./logs/operations.ts";
import type { ServiceDefinition } from "./service-definition.ts";

export const ALL_SERVICES: readonly ServiceDefinition[] = [
  ec2Service,
  elbv2Service,
  ecsService,
  autoscalingService,
  logsService,
  dynamodbService,
];

/**
 * Run in this order on every tick: load balancers first (provisioning, health checks), then the ECS
 * scheduler (which reads target health), then autoscaling (which reads the service), then EC2 (ENIs
 * released by the others), and DynamoDB's tables, which depend on nothing else.
 */
export const LIFECYCLES: readonly Lifecycle[] = [tickElbv2, tickEcs, tickAutoscaling, tickEc2, tickDynamodb];

export const SERVICE_CONTROL_ROUTES: ReadonlyArray<(world: World) => ControlRoute[]> = [
  ec2ControlRoutes,
  elbv2ControlRoutes,
  ecsControlRoutes,
  autoscalingControlRoutes,
];
