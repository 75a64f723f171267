/** `ecs-converge iam-policy`: the least-privilege policy the controller needs, as JSON. */
import { iamPolicyDocument } from "../../aws/iam-policy.ts";
import { ExitCode } from "../exit-codes.ts";
import { type CliStreams, TerminalWriter } from "../terminal.ts";

export function iamPolicyCommand(streams: CliStreams): ExitCode {
  new TerminalWriter(streams.stdout).json(iamPolicyDocument());
  return ExitCode.Ok;
}
