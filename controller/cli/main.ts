#!/usr/bin/env node
/** The `ecs-converge` executable. */
import { ignoreClosedReader } from "./closed-output.ts";
import { runCli } from "./program.ts";

ignoreClosedReader(process.stdout);
ignoreClosedReader(process.stderr);
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
