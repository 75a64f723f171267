/**
 * Counting AWS calls as AWS sees them: one report per HTTP attempt, the SDK's own retries included, so
 * the daemon's `aws_calls_total` and `aws_throttles_total` match what CloudTrail (or the emulator's
 * call log) would show rather than the number of commands the controller sent.
 */
import type {
  AbsoluteLocation,
  FinalizeHandlerArguments,
  FinalizeRequestHandlerOptions,
  FinalizeRequestMiddleware,
  HandlerExecutionContext,
} from "@smithy/types";
import type { AwsClients } from "./clients.ts";
import { awsErrorCode, classifyAwsError } from "./errors.ts";

/** The SDK clients of `AwsClients`, by the name the metrics use as their `aws_service` label. */
export const AWS_SERVICES = ["ec2", "elbv2", "ecs", "autoscaling", "logs"] as const;
export type AwsService = (typeof AWS_SERVICES)[number];

/** One attempt of one AWS API call. */
export interface AwsCall {
  service: AwsService;
  /** The API operation, e.g. `DescribeServices`. */
  operation: string;
  /** AWS refused the attempt for its rate (ThrottlingException, RequestLimitExceeded, …). */
  throttled: boolean;
  /** The AWS error code, or the network error's code, when the attempt failed. */
  error?: string;
}

export type AwsCallObserver = (call: AwsCall) => void;

/**
 * The SDK's retry middleware sits in the finalizeRequest step at priority "high" and calls the rest of
 * the stack once per attempt; signing sits right after it (each attempt is signed afresh). A middleware
 * at finalizeRequest / "low" is inside that loop, after deserialization has turned an error response
 * into the service's exception (so `name` is the AWS code), and before the retry middleware decides
 * whether to try again. It is positioned by step rather than relative to "retryMiddleware" so that an
 * SDK renaming its middleware cannot make every AWS call fail.
 */
const PER_ATTEMPT: FinalizeRequestHandlerOptions & AbsoluteLocation = {
  name: "ecsConvergeCallMetrics",
  step: "finalizeRequest",
  priority: "low",
  // Instrumenting the same clients twice replaces the observer instead of counting every attempt twice.
  override: true,
};

/** Reports every attempt of every call made through `clients` to `onCall`, retries included. */
export function instrumentClients(clients: AwsClients, onCall: AwsCallObserver): void {
  for (const service of AWS_SERVICES) {
    // Each client has its own input and output unions; the middleware touches neither, so it adapts to any.
    const stack = clients[service].middlewareStack as {
      add(middleware: FinalizeRequestMiddleware<object, object>, options: typeof PER_ATTEMPT): void;
    };
    stack.add(perAttempt(service, onCall), PER_ATTEMPT);
  }
}

function perAttempt(service: AwsService, onCall: AwsCallObserver): FinalizeRequestMiddleware<object, object> {
  return (next, context: HandlerExecutionContext) => async (args: FinalizeHandlerArguments<object>) => {
    const operation = operationName(context);
    try {
      const result = await next(args);
      report(onCall, { service, operation, throttled: false });
      return result;
    } catch (error) {
      report(onCall, {
        service,
        operation,
        throttled: classifyAwsError(error) === "throttled",
        error: errorCode(error),
      });
      throw error;
    }
  };
}

/** `DescribeServicesCommand` → `DescribeServices`. */
export function operationName(context: HandlerExecutionContext): string {
  const command = context.commandName ?? "Unknown";
  return command.endsWith("Command") ? command.slice(0, -"Command".length) : command;
}

function errorCode(error: unknown): string {
  const aws = awsErrorCode(error);
  if (aws !== undefined) return aws;
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  if (typeof code === "string") return code;
  return typeof name === "string" ? name : "Error";
}

/**
 * An observer that throws must not turn a served call into a failed one: the retry middleware would
 * then repeat it, and a repeated mutation is worse than a missed count.
 */
function report(onCall: AwsCallObserver, call: AwsCall): void {
  try {
    onCall(call);
  } catch {
    // Deliberately ignored; see above.
  }
}
