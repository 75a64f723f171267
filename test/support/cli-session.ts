/**
 * The CLI as a user runs it against the emulator, for test files: one emulator for the file (reset
 * before each test), a temporary directory for spec files, and the process environment the SDK reads
 * (AWS_ENDPOINT_URL, AWS_REGION, credentials naming the caller in the emulator's call log), restored
 * afterwards. Registers its own vitest hooks; call it once at the top of a file.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { runCli } from "../../controller/cli/program.ts";
import { captureStreams } from "../../controller/cli/test-streams.ts";
import { type EmulatedAws, useEmulatedAws } from "./emulated-aws.ts";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliSession {
  /** The emulator and its clients (valid inside tests and hooks). */
  readonly aws: EmulatedAws;
  /** A temporary directory for this file's spec files. */
  readonly directory: string;
  /** Runs the CLI in this process, as `ecs-converge <args>`. */
  run(...args: string[]): Promise<CliRun>;
}

/** `accessKeyId` names this file's calls in the emulator's call log. */
export function useCliSession(
  accessKeyId: string,
  options: { beforeEach?: (aws: EmulatedAws) => void } = {},
): CliSession {
  const savedEnvironment = { ...process.env };
  // Registered first, so its reset runs before the hook below sets the environment up.
  const aws = useEmulatedAws();
  let directory: string | undefined;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), `ecs-converge-${accessKeyId}-`));
  });
  afterAll(async () => {
    process.env = savedEnvironment;
    if (directory) await rm(directory, { recursive: true, force: true });
  });
  beforeEach(() => {
    options.beforeEach?.(aws);
    process.env = {
      ...savedEnvironment,
      AWS_ENDPOINT_URL: aws.emulator.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: accessKeyId,
      // Never let the SDK look for instance credentials on the network.
      AWS_EC2_METADATA_DISABLED: "true",
    };
  });

  return {
    aws,
    get directory() {
      if (!directory) throw new Error("the directory is made in beforeAll: use it inside tests and hooks");
      return directory;
    },
    async run(...args: string[]) {
      const streams = captureStreams();
      const code = await runCli(args, streams);
      return { code, stdout: streams.stdoutText(), stderr: streams.stderrText() };
    },
  };
}

/**
 * Runs the CLI in this process, as `ecs-converge <args>`, with `environment` over the process's own
 * for the run (the SDK reads AWS_ENDPOINT_URL and credentials from it), restored afterwards.
 */
export async function runCliWithEnvironment(args: string[], environment: NodeJS.ProcessEnv): Promise<CliRun> {
  const saved = process.env;
  process.env = { ...saved, ...environment };
  try {
    const streams = captureStreams();
    const code = await runCli(args, streams);
    return { code, stdout: streams.stdoutText(), stderr: streams.stderrText() };
  } finally {
    process.env = saved;
  }
}
