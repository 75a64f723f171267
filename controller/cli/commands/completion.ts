/** `ecs-converge completion bash|zsh|fish`: prints the shell's completion script. */
import type { Command } from "commander";
import { type CompletionShell, completionScript } from "../completion.ts";
import { ExitCode } from "../exit-codes.ts";
import type { CliStreams } from "../terminal.ts";

export function completionCommand(program: Command, shell: CompletionShell, streams: CliStreams): ExitCode {
  // A script for the shell to read, not lines for a person: written as it is, like --json output.
  streams.stdout.write(completionScript(program, shell));
  return ExitCode.Ok;
}
