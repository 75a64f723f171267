/**
 * The SDK clients, configured only through the SDK's standard chain (credentials, AWS_REGION,
 * AWS_PROFILE, AWS_ENDPOINT_URL[_SERVICE]), plus `--local`, which points them at the built-in emulator.
 */
import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ServiceSpec } from "../../specs/index.ts";

export interface AwsClients {
  region: string;
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
  ecs: ECSClient;
  autoscaling: ApplicationAutoScalingClient;
  logs: CloudWatchLogsClient;
}

/** Where `--local` sends every call. */
export const LOCAL_EMULATOR_ENDPOINT = "http://127.0.0.1:4566";

export interface ClientOptions {
  /** From the spec; otherwise the SDK resolves it (AWS_REGION, the profile). */
  region?: string;
  /** An explicit endpoint (the emulator); otherwise the SDK's own resolution, AWS_ENDPOINT_URL included. */
  endpoint?: string;
  maxAttempts?: number;
  /** Only with an explicit endpoint: who the emulator logs as the caller. */
  accessKeyId?: string;
}

/** The emulator ignores signatures, but the SDK insists on credentials; the key id names the caller in its call log. */
export const EMULATOR_ACCESS_KEY_ID = "ecs-converge";

export function createAwsClients(options: ClientOptions & { region: string }): AwsClients {
  const config = {
    region: options.region,
    // Adaptive retries add client-side rate limiting on top of the standard jittered backoff when AWS throttles.
    retryMode: "adaptive",
    maxAttempts: options.maxAttempts ?? 6,
    ...(options.endpoint
      ? {
          endpoint: options.endpoint,
          credentials: {
            accessKeyId: options.accessKeyId ?? EMULATOR_ACCESS_KEY_ID,
            secretAccessKey: "emulator",
          },
        }
      : {}),
  };
  return {
    region: options.region,
    ec2: new EC2Client(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    ecs: new ECSClient(config),
    autoscaling: new ApplicationAutoScalingClient(config),
    logs: new CloudWatchLogsClient(config),
  };
}

/** No region in the spec, the environment or the profile: nothing says where the service runs. */
export class NoRegionError extends Error {
  constructor(service: string) {
    super(`no AWS region for service "${service}"`);
    this.name = "NoRegionError";
  }
}

/**
 * Clients for a service: in the spec's region, else the SDK's (AWS_REGION, the profile); against an
 * emulator any region will do, so us-east-1 is the last resort there.
 */
export async function clientsForService(
  document: ServiceSpec,
  endpoint: string | undefined,
): Promise<AwsClients> {
  const region = document.spec.region ?? (await defaultRegion()) ?? (endpoint ? "us-east-1" : undefined);
  if (!region) throw new NoRegionError(document.metadata.name);
  return createAwsClients({ region, ...(endpoint ? { endpoint } : {}) });
}

/** The region the SDK would use without one in the spec, or undefined when nothing configures one. */
export async function defaultRegion(): Promise<string | undefined> {
  const probe = new ECSClient({});
  try {
    return await probe.config.region();
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}
