/** `ecs-converge schema`: prints the Service document's JSON Schema (for editors and CI checks). */
import { serviceJsonSchemaText } from "../../../specs/index.ts";
import { ExitCode } from "../exit-codes.ts";
import type { CliStreams } from "../terminal.ts";

export function schemaCommand(streams: CliStreams): ExitCode {
  streams.stdout.write(serviceJsonSchemaText());
  return ExitCode.Ok;
}
