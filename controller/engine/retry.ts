/**
 * Expected waits are not errors: a group still held by draining ENIs, a target group a listener
 * still uses for a moment. Such calls are retried with jittered exponential backoff until a deadline.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { classifyAwsError } from "../aws/errors.ts";

export interface RetryOptions {
  /** Give up after this long (ms). */
  timeoutMs: number;
  /** Which errors mean "not yet" (default: the expected-wait class: DependencyViolation, ResourceInUse…). */
  isExpected?: (error: unknown) => boolean;
  /** Called before each wait, so the caller can say what it is waiting for. */
  onWait?: (error: unknown, attempt: number) => void;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export async function retryExpected<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const isExpected = options.isExpected ?? ((error: unknown) => classifyAwsError(error) === "expected-wait");
  const deadline = Date.now() + options.timeoutMs;
  let delay = options.initialDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isExpected(error) || Date.now() + delay > deadline) throw error;
      options.onWait?.(error, attempt);
      await sleep(delay / 2 + Math.random() * (delay / 2));
      delay = Math.min(delay * 2, options.maxDelayMs ?? 15_000);
    }
  }
}
