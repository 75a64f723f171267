/**
 * One place that decides what an AWS error means for the reconciler: wait and retry (throttling,
 * a resource still in use or provisioning), terminal (access denied, invalid input: no retry until
 * the spec changes), or gone (a delete that already happened).
 */
import { ClientRateLimitError } from "./rate-limiter.ts";

export type ErrorClass =
  | "throttled"
  | "expected-wait"
  | "not-found"
  | "access-denied"
  | "invalid"
  | "unknown";

const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "RequestThrottled",
]);
/** Conditions that pass by themselves: ENIs draining, an ALB provisioning, a listener not yet attached. */
const EXPECTED_WAITS = new Set([
  "DependencyViolation",
  "ResourceInUse",
  "ResourceInUseException",
  "OperationAborted",
  // A cluster with tasks still stopping, or a service still draining: both pass by themselves.
  "ClusterContainsTasksException",
  "ClusterContainsServicesException",
]);
const NOT_FOUND = new Set([
  "InvalidGroup.NotFound",
  "LoadBalancerNotFound",
  "LoadBalancerNotFoundException",
  "TargetGroupNotFound",
  "TargetGroupNotFoundException",
  "ListenerNotFound",
  "ListenerNotFoundException",
  "ClusterNotFoundException",
  "ServiceNotFoundException",
  "ServiceNotActiveException",
  "ResourceNotFoundException",
  "ObjectNotFoundException",
]);
const ACCESS_DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "AuthFailure",
  "ExpiredTokenException",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
]);

/** The error's AWS code as the SDK reports it (`name`), or undefined for non-AWS errors. */
export function awsErrorCode(error: unknown): string | undefined {
  const candidate = error as { name?: unknown; $metadata?: unknown } | null | undefined;
  return candidate && typeof candidate.name === "string" && candidate.$metadata !== undefined
    ? candidate.name
    : undefined;
}

export function classifyAwsError(error: unknown): ErrorClass {
  // Held back by the client's own rate limit: the same remedy as AWS's throttling, slowing down.
  if (error instanceof ClientRateLimitError) return "throttled";
  const code = awsErrorCode(error);
  if (code === undefined) return "unknown";
  if (THROTTLING.has(code)) return "throttled";
  if (EXPECTED_WAITS.has(code)) return "expected-wait";
  if (NOT_FOUND.has(code)) return "not-found";
  if (ACCESS_DENIED.has(code)) return "access-denied";
  if (/Validation|InvalidParameter|Invalid[A-Z]|ClientException|Malformed/.test(code)) return "invalid";
  return "unknown";
}

/** Whether an error is AWS saying "gone": deletes treat it as success. */
export const isNotFound = (error: unknown): boolean => classifyAwsError(error) === "not-found";

/** Runs a delete; one of something already gone succeeds (a retry after a crash, or someone was faster). */
export async function ignoreNotFound(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
