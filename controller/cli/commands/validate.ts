/** `ecs-converge validate -f <file|dir>`: checks specs without touching AWS. */
import { formatIssue, loadSpecPath, type SpecFileResult, type SpecIssue } from "../../../specs/index.ts";
import { ExitCode } from "../exit-codes.ts";
import { summarizeSpec } from "../spec-summary.ts";
import { type CliStreams, TerminalWriter } from "../terminal.ts";

export interface ValidateOptions {
  file: string;
  json?: boolean;
}

/** The `--json` report: one entry per spec file. */
export interface ValidateReport {
  valid: boolean;
  files: Array<{
    file: string;
    valid: boolean;
    service?: string;
    errors: SpecIssue[];
    warnings: SpecIssue[];
  }>;
}

/** Validates every spec at the path; exit 0 when all are valid (warnings do not fail), 1 otherwise. */
export async function validateCommand(options: ValidateOptions, streams: CliStreams): Promise<ExitCode> {
  const results = await loadSpecPath(options.file, streams.stdin);
  const report = toReport(results);
  if (options.json) new TerminalWriter(streams.stdout).json(report);
  else printReport(results, streams);
  return report.valid ? ExitCode.Ok : ExitCode.Error;
}

function toReport(results: SpecFileResult[]): ValidateReport {
  const files = results.map((result) =>
    result.ok
      ? {
          file: result.file,
          valid: true,
          service: result.loaded.spec.metadata.name,
          errors: [],
          warnings: result.loaded.warnings,
        }
      : { file: result.file, valid: false, errors: [...result.error.issues], warnings: [] },
  );
  return { valid: files.every((file) => file.valid), files };
}

function printReport(results: SpecFileResult[], streams: CliStreams): void {
  const out = new TerminalWriter(streams.stdout);
  const err = new TerminalWriter(streams.stderr);
  for (const result of results) {
    if (result.ok) {
      const { spec, warnings } = result.loaded;
      out.line(`${out.style("green", "✓")} ${result.file}: service "${spec.metadata.name}" is valid`);
      for (const line of summarizeSpec(spec)) out.line(`  ${line}`);
      for (const warning of warnings) err.line(`${err.style("yellow", "warning:")} ${formatIssue(warning)}`);
    } else {
      // Every problem found, also those past the listed ones.
      const count = result.error.count;
      err.line(`${err.style("red", "✗")} ${result.file}: ${count} problem${count === 1 ? "" : "s"}`);
      for (const issue of result.error.issues)
        err.line(`${err.style("red", "error:")} ${formatIssue(issue)}`);
    }
  }
}
