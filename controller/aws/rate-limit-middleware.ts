/**
 * The SDK middleware that puts a client under the process's rate limiter: each attempt, retries
 * included, first waits for its tokens. It sits inside the retry loop (finalizeRequest) at "normal",
 * added when the client is made, so it runs before the call guard's attempt gate (added later at the
 * same priority): a lease is checked after the wait, never before it. The SDK's adaptive retry mode
 * stays behind it, slowing down further should AWS throttle all the same.
 */
import type {
  AbsoluteLocation,
  FinalizeHandlerArguments,
  FinalizeRequestHandlerOptions,
  FinalizeRequestMiddleware,
  HandlerExecutionContext,
} from "@smithy/types";
import type { LimitedService } from "./aws-rate-limits.ts";
import { callSignalOf, isUrgentCall } from "./call-guard.ts";
import { operationName } from "./call-metrics.ts";
import type { AwsRateLimiter } from "./rate-limiter.ts";

const PER_ATTEMPT: FinalizeRequestHandlerOptions & AbsoluteLocation = {
  name: "ecsConvergeRateLimit",
  step: "finalizeRequest",
  priority: "normal",
  override: true,
};

/** Makes every attempt of `client` (in `region`) wait for `limiter`'s tokens before it is sent. */
export function limitClientRate(
  client: { middlewareStack: unknown },
  service: LimitedService,
  region: string,
  limiter: AwsRateLimiter,
): void {
  const stack = client.middlewareStack as {
    add(middleware: FinalizeRequestMiddleware<object, object>, options: typeof PER_ATTEMPT): void;
  };
  stack.add(
    (next, context: HandlerExecutionContext) => async (args: FinalizeHandlerArguments<object>) => {
      await limiter.acquire(service, operationName(context), region, {
        signal: callSignalOf(context),
        urgent: isUrgentCall(context),
      });
      return next(args);
    },
    PER_ATTEMPT,
  );
}
