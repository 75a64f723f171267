/**
 * The SDK clients, configured only through the SDK's standard chain (credentials, AWS_REGION,
 * AWS_PROFILE, AWS_ENDPOINT_URL[_SERVICE]), plus `--local`, which points them at the built-in emulator.
 */
import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { ServiceSpec } from "../../specs/index.ts";
import { AWS_SERVICES } from "./call-metrics.ts";
import { recordFailedCalls } from "./failed-call.ts";
import { limitClientRate } from "./rate-limit-middleware.ts";
import { type AwsRateLimiter, sharedRateLimiter } from "./rate-limiter.ts";

export interface AwsClients {
  region: string;
  /** The client-side rate limiter these clients wait on, if any (the slow tier paces itself by it). */
  rateLimiter?: AwsRateLimiter;
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
  timeouts?: CallTimeouts;
  /**
   * The client-side rate limiter the clients wait on before each attempt; null: none. Default: the
   * process's shared one (one per account and region, whoever makes the clients), except against an
   * explicit endpoint (the emulator) unless the settings say otherwise.
   */
  rateLimiter?: AwsRateLimiter | null;
}

/** The limiter clients get when none is given: see `ClientOptions.rateLimiter`. */
export function defaultRateLimiter(endpoint: string | undefined): AwsRateLimiter | null {
  if (endpoint !== undefined && !sharedRateLimiter.settings.limitExplicitEndpoints) return null;
  return sharedRateLimiter;
}

/**
 * How long one attempt of one call may take. The SDK sets no timeout at all by default, so a hung
 * connection would hang its caller forever; with these, it becomes a TimeoutError the SDK retries.
 */
export interface CallTimeouts {
  /** TCP (and TLS) connection set-up. */
  connectMs: number;
  /** One attempt, from sending the request to the end of the response. */
  attemptMs: number;
}

/** AWS answers the calls the controller makes in well under a second; 20 s is a hang, not a slow answer. */
export const DEFAULT_CALL_TIMEOUTS: CallTimeouts = { connectMs: 5_000, attemptMs: 20_000 };

/** Attempts per call (the first and its retries): a call takes at most this × the attempt timeout, plus backoff. */
export const MAX_ATTEMPTS = 6;

/**
 * The SDK's HTTP handler, made closable: destroying its client ends the requests it has in flight. The
 * SDK's own destroy only closes idle connections, so a request still waiting for its answer (a hung
 * call, a read other passes shared) would keep a stopping daemon's process alive until it is answered.
 */
class ClosableHttpHandler extends NodeHttpHandler {
  readonly #closed = new AbortController();

  override handle(...[request, options = {}]: Parameters<NodeHttpHandler["handle"]>) {
    const given = options.abortSignal;
    // A signal of this request's own (AbortSignal.any), so no listener piles up on the shared one.
    const abortSignal = AbortSignal.any(
      given instanceof AbortSignal ? [this.#closed.signal, given] : [this.#closed.signal],
    );
    return super.handle(request, { ...options, abortSignal });
  }

  override destroy(): void {
    this.#closed.abort(new Error("the AWS client was closed"));
    super.destroy();
  }
}

/** The configuration every SDK client of the controller shares (the lease table's client too). */
export function sdkClientConfig(options: ClientOptions & { region: string }) {
  const timeouts = options.timeouts ?? DEFAULT_CALL_TIMEOUTS;
  return {
    region: options.region,
    // Adaptive retries add client-side rate limiting on top of the standard jittered backoff when AWS throttles.
    retryMode: "adaptive",
    maxAttempts: options.maxAttempts ?? MAX_ATTEMPTS,
    requestHandler: new ClosableHttpHandler({
      connectionTimeout: timeouts.connectMs,
      requestTimeout: timeouts.attemptMs,
      // Without this, a request past its timeout only logs a warning and goes on waiting.
      throwOnRequestTimeout: true,
    }),
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
}

/** The emulator ignores signatures, but the SDK insists on credentials; the key id names the caller in its call log. */
export const EMULATOR_ACCESS_KEY_ID = "ecs-converge";

/** Closes every SDK client of a set (their sockets): the set is not used again. */
export function destroyAwsClients(clients: object | undefined): void {
  for (const client of Object.values(clients ?? {}))
    if (typeof client === "object" && client !== null && "destroy" in client)
      (client as { destroy(): void }).destroy();
}

export function createAwsClients(options: ClientOptions & { region: string }): AwsClients {
  const config = sdkClientConfig(options);
  const limiter =
    options.rateLimiter === undefined ? defaultRateLimiter(options.endpoint) : options.rateLimiter;
  const clients = {
    region: options.region,
    ...(limiter ? { rateLimiter: limiter } : {}),
    ec2: new EC2Client(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    ecs: new ECSClient(config),
    autoscaling: new ApplicationAutoScalingClient(config),
    logs: new CloudWatchLogsClient(config),
  };
  recordFailedCalls(clients.ec2, "EC2");
  recordFailedCalls(clients.elbv2, "ELBv2");
  recordFailedCalls(clients.ecs, "ECS");
  recordFailedCalls(clients.autoscaling, "Application Auto Scaling");
  recordFailedCalls(clients.logs, "CloudWatch Logs");
  if (limiter)
    for (const service of AWS_SERVICES) limitClientRate(clients[service], service, options.region, limiter);
  return clients;
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
  timeouts?: CallTimeouts,
): Promise<AwsClients> {
  const region = document.spec.region ?? (await defaultRegion()) ?? (endpoint ? "us-east-1" : undefined);
  if (!region) throw new NoRegionError(document.metadata.name);
  return createAwsClients({ region, ...(endpoint ? { endpoint } : {}), ...(timeouts ? { timeouts } : {}) });
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
