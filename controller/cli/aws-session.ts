/**
 * What every command that talks to AWS shares: loading the specs, choosing the region and endpoint,
 * and turning AWS-side failures into one clear line that says what and how to fix it.
 */
import { formatIssue, type LoadedSpec, loadSpecPath, SpecError } from "../../specs/index.ts";
import {
  type AwsClients,
  clientsForService,
  LOCAL_EMULATOR_ENDPOINT,
  NoRegionError,
} from "../aws/clients.ts";
import { classifyAwsError } from "../aws/errors.ts";
import { SpecReferenceError } from "../engine/network.ts";
import { OwnershipConflictError } from "../engine/ownership-check.ts";
import { CliError } from "./cli-error.ts";

export interface AwsCommandOptions {
  file: string;
  /** Use the built-in emulator at 127.0.0.1:4566. */
  local?: boolean;
}

/** Every spec at the path; any invalid one stops the command before AWS is touched. */
export async function loadValidSpecs(path: string): Promise<LoadedSpec[]> {
  const results = await loadSpecPath(path);
  const issues = results.flatMap((result) => (result.ok ? [] : result.error.issues));
  if (issues.length > 0) throw new SpecError(path, issues);
  return results.flatMap((result) => (result.ok ? [result.loaded] : []));
}

/** Clients for a spec's region: the spec's own, else the SDK's (AWS_REGION, the profile). */
export async function clientsForSpec(loaded: LoadedSpec, options: AwsCommandOptions): Promise<AwsClients> {
  try {
    return await clientsForService(loaded.spec, options.local ? LOCAL_EMULATOR_ENDPOINT : undefined);
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
  if (classifyAwsError(error) === "access-denied") {
    return new CliError(`AWS denied access: ${(error as Error).message}`, {
      hint: "grant the controller the policy printed by: npx ecs-converge iam-policy",
      cause: error,
    });
  }
  return error;
}
