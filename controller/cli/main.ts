#!/usr/bin/env node
/** The `ecs-converge` executable. */
import { enableCompileCache } from "node:module";

// V8's code cache for every module loaded from here on (in the OS's temporary directory, or
// NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off). Starting from the cache instead of
// parsing the AWS SDK's bundles (EC2's alone is 2 MB of JavaScript) is faster, and it leaves about
// 25 MB less memory in the process for as long as it runs: the parser's scratch memory is never given
// back to the system. Enabled before anything else is imported, so the rest of the program is cached.
enableCompileCache();
const { ignoreClosedReader } = await import("./closed-output.ts");
const { runCli } = await import("./program.ts");

ignoreClosedReader(process.stdout);
ignoreClosedReader(process.stderr);
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});
