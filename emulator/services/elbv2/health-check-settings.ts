/** A target group's health-check settings: AWS's defaults for HTTP(S) groups, and the ranges it accepts. */
import type { InputReader } from "../../protocols/input.ts";
import { optionalEnum, optionalIntIn, validationError } from "./errors.ts";
import type { HealthCheck } from "./state.ts";

/** The defaults of an HTTP or HTTPS target group (gRPC ones check another path and code). */
export function defaultHealthCheck(protocolVersion: string): HealthCheck {
  const grpc = protocolVersion === "GRPC";
  return {
    enabled: true,
    protocol: "HTTP",
    port: "traffic-port",
    path: grpc ? "/AWS.ALB/healthcheck" : "/",
    intervalSeconds: 30,
    timeoutSeconds: 5,
    healthyThreshold: 5,
    unhealthyThreshold: 2,
    matcher: grpc ? { GrpcCode: "12" } : { HttpCode: "200" },
  };
}

/** `200`, `200,202`, `200-299`: codes or ranges within [min, max]. */
function codesWithin(codes: string, min: number, max: number): boolean {
  return codes.split(",").every((part) => {
    const bounds = part.match(/^(\d{1,3})(?:-(\d{1,3}))?$/);
    if (!bounds?.[1]) return false;
    const low = Number(bounds[1]);
    const high = Number(bounds[2] ?? bounds[1]);
    return low >= min && high <= max && low <= high;
  });
}

/**
 * `current` with the health-check parameters of a CreateTargetGroup or ModifyTargetGroup call applied.
 * Checks everything; nothing is stored here.
 */
export function healthCheckWith(
  args: InputReader,
  current: HealthCheck,
  group: { targetType: string; protocolVersion: string },
): HealthCheck {
  const next: HealthCheck = { ...current };
  next.protocol = optionalEnum(args, "HealthCheckProtocol", ["HTTP", "HTTPS"]) ?? next.protocol;
  const port = args.optionalString("HealthCheckPort");
  if (port !== undefined) {
    if (port !== "traffic-port" && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65_535))
      throw validationError(`Health check port '${port}' must be 'traffic-port' or between 1 and 65535`);
    next.port = port;
  }
  const enabled = args.optionalBool("HealthCheckEnabled");
  if (enabled === false) {
    throw validationError(
      `Health checks cannot be disabled for target groups with target type '${group.targetType}'`,
    );
  }
  const path = args.optionalString("HealthCheckPath");
  if (path !== undefined) {
    if (!path.startsWith("/") || path.length > 1024)
      throw validationError(`Health check path '${path}' must start with '/' and be at most 1024 characters`);
    next.path = path;
  }
  next.intervalSeconds = optionalIntIn(args, "HealthCheckIntervalSeconds", 5, 300) ?? next.intervalSeconds;
  next.timeoutSeconds = optionalIntIn(args, "HealthCheckTimeoutSeconds", 2, 120) ?? next.timeoutSeconds;
  next.healthyThreshold = optionalIntIn(args, "HealthyThresholdCount", 2, 10) ?? next.healthyThreshold;
  next.unhealthyThreshold = optionalIntIn(args, "UnhealthyThresholdCount", 2, 10) ?? next.unhealthyThreshold;
  if (next.timeoutSeconds >= next.intervalSeconds) {
    throw validationError(
      `Health check timeout '${next.timeoutSeconds}' must be smaller than the interval '${next.intervalSeconds}'`,
    );
  }
  const matcher = args.optionalObject("Matcher");
  if (matcher) next.matcher = matcherFrom(matcher, group.protocolVersion);
  return next;
}

function matcherFrom(matcher: Record<string, unknown>, protocolVersion: string): HealthCheck["matcher"] {
  const { HttpCode: httpCode, GrpcCode: grpcCode } = matcher;
  if (protocolVersion === "GRPC") {
    if (typeof grpcCode !== "string" || httpCode !== undefined || !codesWithin(grpcCode, 0, 99))
      throw validationError("gRPC target groups need a Matcher GrpcCode between 0 and 99");
    return { GrpcCode: grpcCode };
  }
  if (typeof httpCode !== "string" || grpcCode !== undefined || !codesWithin(httpCode, 200, 499))
    throw validationError("The Matcher HttpCode must be HTTP codes or ranges between 200 and 499");
  return { HttpCode: httpCode };
}
