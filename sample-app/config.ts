import { hostname } from "node:os";
import type { AppConfig } from "./app.ts";

/** Upper bound for `GET /burn?ms=`, so a typo in a load test cannot pin a core for minutes. */
export const DEFAULT_BURN_MAX_MS = 5000;

// setTimeout silently turns larger delays into 1 ms, which would make a huge STARTUP_DELAY_MS mean "no delay".
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Reads the app config from environment variables; throws on a variable that is set but invalid. */
export function configFromEnv(env: Record<string, string | undefined>): AppConfig {
  return {
    host: env.HOST?.trim() || "0.0.0.0",
    port: integer(env, "PORT", 3000, 0, 65_535),
    version: env.APP_VERSION?.trim() || "dev",
    startupDelayMs: integer(env, "STARTUP_DELAY_MS", 0, 0, MAX_TIMER_MS),
    shutdownDrainMs: integer(env, "SHUTDOWN_DRAIN_MS", 0, 0, MAX_TIMER_MS),
    shutdownTimeoutMs: integer(env, "SHUTDOWN_TIMEOUT_MS", 10_000, 1, MAX_TIMER_MS),
    burnMaxMs: integer(env, "BURN_MAX_MS", DEFAULT_BURN_MAX_MS, 1, MAX_TIMER_MS),
    // A container runtime sets HOSTNAME to the container's own name (on Fargate, one per task); processes
    // sharing one machine all have the same kernel host name, so the variable is what tells them apart.
    hostname: env.HOSTNAME?.trim() || hostname(),
  };
}

function integer(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  // Fail at startup rather than run with a surprising value: Number("") is 0 and parseInt("80abc") is 80.
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}
