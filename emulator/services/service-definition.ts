/**
 * What every emulated service declares: how its requests arrive (protocol and routing), how it
 * throttles, and its operations. The server does the wire work; operations see plain values.
 */

import type { Input } from "../protocols/input.ts";
import type { Random } from "../random.ts";
import type { RegionState, World } from "../world.ts";

export type ServiceId = "ec2" | "elbv2" | "ecs" | "autoscaling" | "logs" | "dynamodb";

export interface OperationContext {
  world: World;
  /** The state of the request's region (from its SigV4 credential scope). */
  region: RegionState;
  /** Simulated epoch milliseconds. */
  now: number;
  random: Random;
  requestId: string;
}

/**
 * One API operation. Synchronous on purpose: Node runs it to completion without interleaving, so each
 * request's effect is atomic. Validate everything before the first mutation: a failed call changes nothing.
 */
export type Operation = (input: Input, context: OperationContext) => unknown;

interface BaseDefinition {
  id: ServiceId;
  /** The service prefix of IAM actions (`elasticloadbalancing:CreateLoadBalancer`). */
  iamPrefix: string;
  /** The error code AWS uses when this service throttles. */
  throttlingCode: string;
  throttlingStatus: number;
  operations: Record<string, Operation>;
}

export interface JsonServiceDefinition extends BaseDefinition {
  protocol: "json";
  /** `X-Amz-Target: {targetPrefix}.{Operation}` */
  targetPrefix: string;
  /** ECS and Logs say `message`; Application Auto Scaling says `Message`. */
  messageKey: "message" | "Message";
  /** `application/x-amz-json-{jsonVersion}`: DynamoDB speaks awsJson1_0, the others 1.1 (the default). */
  jsonVersion?: "1.0" | "1.1";
  /** The error body's `__type` for a code, where the service qualifies it (DynamoDB: `com.amazonaws.dynamodb.v20120810#…`). */
  errorType?: (code: string) => string;
}

export interface QueryServiceDefinition extends BaseDefinition {
  protocol: "query" | "ec2";
  /** The form's `Version=` that routes a request here. */
  apiVersion: string;
  xmlNamespace: string;
}

export type ServiceDefinition = JsonServiceDefinition | QueryServiceDefinition;
