/**
 * Which call an AWS error came from. The SDK's errors carry AWS's code and message ("We encountered an
 * internal error. Please try again.") and how many attempts were made, but not the operation or the
 * resource: a middleware on every client remembers both for each error, so the message a person reads
 * can say "ECS DescribeServices of cluster web, services web failed on all 6 attempts".
 */
import type {
  AbsoluteLocation,
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  InitializeHandlerOptions,
  InitializeMiddleware,
} from "@smithy/types";
import { operationName } from "./call-metrics.ts";

/** The call an error came from: `ECS DescribeServices`, and what it was about. */
export interface FailedCall {
  service: string;
  operation: string;
  /** Identifying input fields, e.g. `cluster web, services web`; empty when the input has none. */
  resource: string;
  /** Attempts the SDK made (1 when it did not retry). */
  attempts: number;
}

const failedCalls = new WeakMap<object, FailedCall>();

const ON_ERROR: InitializeHandlerOptions & AbsoluteLocation = {
  name: "ecsConvergeFailedCall",
  step: "initialize",
  priority: "high",
  override: true,
};

/** Remembers, for every error a call of `client` ends with, which call it was. */
export function recordFailedCalls(client: { middlewareStack: unknown }, service: string): void {
  const stack = client.middlewareStack as {
    add(middleware: InitializeMiddleware<object, object>, options: typeof ON_ERROR): void;
  };
  stack.add(
    (next: InitializeHandler<object, object>, context: HandlerExecutionContext) =>
      async (args: InitializeHandlerArguments<object>) => {
        try {
          return await next(args);
        } catch (error) {
          if (error !== null && typeof error === "object" && !failedCalls.has(error)) {
            const metadata = (error as { $metadata?: { attempts?: number } }).$metadata;
            failedCalls.set(error, {
              service,
              operation: operationName(context),
              resource: describeResource(args.input),
              attempts: metadata?.attempts ?? 1,
            });
          }
          throw error;
        }
      },
    ON_ERROR,
  );
}

/** The call behind `error` or any error in its `cause` chain, with that error. */
export function failedCallOf(error: unknown): { call: FailedCall; error: Error } | undefined {
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 10; depth++) {
    const call = failedCalls.get(current);
    if (call) return { call, error: current as Error };
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * `ECS DescribeServices (cluster web; services web) failed after 6 attempts (retried 5 times):
 * InternalFailure: …` for an error that ended a call after retries; undefined otherwise.
 */
export function describeRetriedFailure(error: unknown): string | undefined {
  const failed = failedCallOf(error);
  if (!failed || failed.call.attempts <= 1) return undefined;
  const { service, operation, resource, attempts } = failed.call;
  return `${service} ${operation}${resource ? ` (${resource})` : ""} failed after ${attempts} attempts (retried ${attempts - 1} times): ${failed.error.name}: ${failed.error.message}`;
}

/** Input fields that name what a call is about: names, ids and ARNs of the resource, never roles or contents. */
const IDENTIFYING_FIELD =
  /^(clusters?|services?|serviceName|family|taskDefinition|logGroupName|ResourceId|PolicyName|TableName)$|(Arns?|Names?|Ids?)$/;
const MAX_VALUES_SHOWN = 3;

function describeResource(input: object): string {
  const parts: string[] = [];
  for (const [field, value] of Object.entries(input)) {
    if (!IDENTIFYING_FIELD.test(field) || /Role/.test(field)) continue;
    const values = (Array.isArray(value) ? value : [value]).filter((item) => typeof item === "string");
    if (values.length === 0) continue;
    const shown = values.slice(0, MAX_VALUES_SHOWN).join(", ");
    parts.push(
      `${field} ${shown}${values.length > MAX_VALUES_SHOWN ? ` (+${values.length - MAX_VALUES_SHOWN})` : ""}`,
    );
  }
  return parts.join("; ");
}
