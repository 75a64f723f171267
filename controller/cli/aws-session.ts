/**
 * What every command that talks to AWS shares: loading the specs, choosing the region and endpoint,
 * and turning AWS-side failures into one clear line that says what and how to fix it.
 */
import { formatIssue, type LoadedSpec, loadSpecPath, SpecError } from "../../specs/index.ts";
import { DeadlineExceededError, guardClients } from "../aws/call-guard.ts";
import {
  type AwsClients,
  type CallTimeouts,
  clientsForService,
  DEFAULT_CALL_TIMEOUTS,
  LOCAL_EMULATOR_ENDPOINT,
  NoRegionError,
} from "../aws/clients.ts";
import { diagnoseCredentials } from "../aws/credential-diagnosis.ts";
import { classifyAwsError } from "../aws/errors.ts";
import { describeRetriedFailure } from "../aws/failed-call.ts";
import { SpecReferenceError } from "../engine/network.ts";
import { OwnershipConflictError } from "../engine/ownership-check.ts";
import { CliError } from "./cli-error.ts";
import { formatDuration, parseDuration } from "./duration.ts";

export interface AwsCommandOptions {
  file: string;
  /** Use the built-in emulator at 127.0.0.1:4566. */
  local?: boolean;
  /** `--call-timeout`: one attempt of one AWS call. */
  callTimeout?: string;
  /** `--connect-timeout`: connecting to AWS. */
  connectTimeout?: string;
}

/** The bounds of the timeout options: below them a healthy call would time out, above them a hang goes unnoticed. */
const CALL_TIMEOUT_BOUNDS = { minMs: 100, maxMs: 10 * 60_000 };

/** `--call-timeout` and `--connect-timeout`, or their defaults. */
export function callTimeoutsFrom(
  options: Pick<AwsCommandOptions, "callTimeout" | "connectTimeout">,
): CallTimeouts {
  return {
    attemptMs:
      options.callTimeout === undefined
        ? DEFAULT_CALL_TIMEOUTS.attemptMs
        : parseDuration("--call-timeout", options.callTimeout, CALL_TIMEOUT_BOUNDS),
    connectMs:
      options.connectTimeout === undefined
        ? DEFAULT_CALL_TIMEOUTS.connectMs
        : parseDuration("--connect-timeout", options.connectTimeout, CALL_TIMEOUT_BOUNDS),
  };
}

/** The help text of the timeout options, with their defaults. */
export const CALL_TIMEOUT_HELP = {
  call: `how long one attempt of one AWS call may take before it is retried (default ${formatDuration(DEFAULT_CALL_TIMEOUTS.attemptMs)})`,
  connect: `how long connecting to AWS may take (default ${formatDuration(DEFAULT_CALL_TIMEOUTS.connectMs)})`,
};

/**
 * A deadline for a whole command (`--timeout`): when it passes, every AWS call still in flight is
 * abandoned and no new one is sent, whatever AWS does. `clear()` once the work is done.
 */
export function commandDeadline(
  option: string,
  text: string,
  ms: number,
): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`${option} ${text} reached`)), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/**
 * Every spec at the path (or, with `-f -` and a `stdin`, the one on standard input); any invalid one
 * stops the command before AWS is touched.
 */
export async function loadValidSpecs(
  path: string,
  stdin?: AsyncIterable<Uint8Array | string>,
): Promise<LoadedSpec[]> {
  const results = await loadSpecPath(path, stdin);
  const issues = results.flatMap((result) => (result.ok ? [] : result.error.issues));
  if (issues.length > 0) throw new SpecError(path, issues);
  return results.flatMap((result) => (result.ok ? [result.loaded] : []));
}

/** Clients for a spec's region: the spec's own, else the SDK's (AWS_REGION, the profile). */
export async function clientsForSpec(
  loaded: LoadedSpec,
  options: AwsCommandOptions,
  /** The signal of the command's deadline (read at each call: it may be renewed). */
  deadline?: () => AbortSignal,
): Promise<AwsClients> {
  try {
    const clients = await clientsForService(
      loaded.spec,
      options.local ? LOCAL_EMULATOR_ENDPOINT : undefined,
      callTimeoutsFrom(options),
    );
    if (deadline) guardClients(clients, { signal: deadline });
    return clients;
  } catch (error) {
    throw explainFailure(error, loaded, options);
  }
}

/** A failure while talking to AWS, explained for the person at the terminal. */
export function explainFailure(error: unknown, loaded: LoadedSpec, options: AwsCommandOptions): unknown {
  if (error instanceof SpecReferenceError) {
    const where = loaded.locate(error.path);
    return new CliError(
      formatIssue({
        severity: "error",
        file: loaded.file,
        ...where,
        path: error.path.map(String).join("."),
        message: error.message,
      }),
      { hint: error.hint, cause: error },
    );
  }
  if (error instanceof NoRegionError) {
    // A broken AWS_PROFILE is why there is no region too (the profile would have named one): say that first.
    const brokenProfile = process.env.AWS_PROFILE ? diagnoseCredentials() : undefined;
    if (brokenProfile)
      return new CliError(brokenProfile.message, {
        hint: `${brokenProfile.hint}; the region comes from the profile too, unless spec.region or AWS_REGION sets it`,
        cause: error,
      });
    return new CliError(`${loaded.file}: ${error.message}`, {
      hint: "set spec.region in the spec, or AWS_REGION (or a region in your AWS profile)",
      cause: error,
    });
  }
  if (error instanceof OwnershipConflictError) {
    return new CliError(`${loaded.file}: ${error.message}`, {
      hint: "ecs-converge never changes what it does not own: rename the service (metadata.name), or set metadata.adopt: true to take these over",
      cause: error,
    });
  }
  const name = (error as { name?: string } | undefined)?.name;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (name === "CredentialsProviderError" || code === "ENOENT") {
    const diagnosis = diagnoseCredentials();
    // The SDK reads a web identity token file itself and lets its ENOENT through as it is.
    const path = (error as NodeJS.ErrnoException).path;
    if (diagnosis && (name === "CredentialsProviderError" || diagnosis.missingTokenFile === path)) {
      return new CliError(diagnosis.message, { hint: diagnosis.hint, cause: error });
    }
  }
  if (name === "CredentialsProviderError") {
    return new CliError("no AWS credentials found", {
      hint: "set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --local for the built-in emulator",
      cause: error,
    });
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new CliError(
      `cannot reach AWS for service "${loaded.spec.metadata.name}": ${(error as Error).message}`,
      {
        hint: "check the region (spec.region, AWS_REGION) and the network; a region that does not exist has no endpoint",
        cause: error,
      },
    );
  }
  if (code === "ECONNREFUSED" && options.local) {
    return new CliError(`the emulator is not running at ${LOCAL_EMULATOR_ENDPOINT}`, {
      hint: "start it in another terminal with: npx ecs-converge emulator",
      cause: error,
    });
  }
  if (error instanceof DeadlineExceededError) {
    return new CliError(`service "${loaded.spec.metadata.name}": ${error.message}`, {
      hint: "AWS did not finish in time; every step is idempotent, so running the command again carries on from where it stopped",
      cause: error,
    });
  }
  if (name === "TimeoutError") {
    return new CliError(
      `service "${loaded.spec.metadata.name}": AWS did not answer: ${(error as Error).message}, on every attempt`,
      {
        hint: "check the network path to AWS (a proxy, a VPC endpoint); --call-timeout sets how long one attempt may take",
        cause: error,
      },
    );
  }
  if (classifyAwsError(error) === "access-denied") {
    return new CliError(`AWS denied access: ${(error as Error).message}`, {
      hint: "grant the controller the policy printed by: npx ecs-converge iam-policy",
      cause: error,
    });
  }
  const retried = describeRetriedFailure(error);
  if (retried) {
    return new CliError(`service "${loaded.spec.metadata.name}": ${retried}`, {
      hint: "AWS, or the network to it, kept failing; every step is idempotent, so running the command again carries on from where it stopped",
      cause: error,
    });
  }
  return error;
}
