#!/usr/bin/env node
/** The `ecs-converge` executable. */
import { runCli } from "./program.ts";

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
