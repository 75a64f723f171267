/**
 * The command-line interface: one commander program; each command lives in `commands/` and returns
 * an exit code. Errors a user can fix become one line on stderr, never a stack trace.
 */
import { readFileSync } from "node:fs";
import { Argument, Command, CommanderError, Option } from "commander";
import { formatIssue, SpecError } from "../../specs/index.ts";
import { sharedRateLimiter } from "../aws/rate-limiter.ts";
import { CALL_TIMEOUT_HELP, callTimeoutsFrom } from "./aws-session.ts";
import { CliError } from "./cli-error.ts";
import { type ApplyOptions, applyCommand } from "./commands/apply.ts";
import { completionCommand } from "./commands/completion.ts";
import { type DestroyCommandOptions, destroyCommand } from "./commands/destroy.ts";
import type { EmulatorCommandOptions } from "./commands/emulator.ts";
import { type IamPolicyOptions, iamPolicyCommand } from "./commands/iam-policy.ts";
import { type LogsOptions, logsCommand } from "./commands/logs.ts";
import { type PlanOptions, planCommand } from "./commands/plan.ts";
import { type RunOptions, runCommand } from "./commands/run.ts";
import { schemaCommand } from "./commands/schema.ts";
import { type StatusOptions, statusCommand } from "./commands/status.ts";
import { validateCommand } from "./commands/validate.ts";
import { COMPLETION_SHELLS, type CompletionShell } from "./completion.ts";
import { collectRepeated } from "./emulator-images.ts";
import { ExitCode } from "./exit-codes.ts";
import { RATE_LIMIT_SCALE_HELP, rateLimitSettingsFrom } from "./rate-limit-option.ts";
import { type CliStreams, TerminalWriter } from "./terminal.ts";

const packageJson = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

/** `--call-timeout` and `--connect-timeout`: every command that talks to AWS has them. */
const callTimeoutOption = () => new Option("--call-timeout <duration>", CALL_TIMEOUT_HELP.call);
const connectTimeoutOption = () => new Option("--connect-timeout <duration>", CALL_TIMEOUT_HELP.connect);
/** `--rate-limit-scale`: every command that talks to AWS has it too. */
const rateLimitScaleOption = () => new Option("--rate-limit-scale <factor>", RATE_LIMIT_SCALE_HELP);

/** `--run-image` and `--images`: which images the built-in emulator runs as local processes. */
const runImageOption = () =>
  new Option(
    "--run-image <pattern=command>",
    "run tasks of matching images as local processes (repeatable), e.g. '*/sample-app:*=node sample-app/server.ts'",
  ).argParser(collectRepeated);
const imagesOption = () =>
  new Option("--images <file>", 'a JSON file of image mappings: { "<image pattern>": "<command>" }');

/** `-f <file|dir>`: shared by every command that reads specs. */
const specPathOption = () =>
  new Option(
    "-f, --file <path>",
    "a service spec file, or a directory of them (one service each)",
  ).makeOptionMandatory();

function createProgram(streams: CliStreams, setExitCode: (code: ExitCode) => void): Command {
  const program = new Command("ecs-converge")
    .description(
      "Keeps an ECS Fargate service behind an Application Load Balancer converged to service.yaml.",
    )
    .version(packageJson.version, "-v, --version")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
    })
    .exitOverride()
    // Checked before any command starts, so a bad value is refused before specs are read or AWS is called.
    .hook("preAction", (_program, command) => {
      callTimeoutsFrom(command.opts());
      // One limiter per process: every client the command makes, for every service, waits on it.
      sharedRateLimiter.configure(
        rateLimitSettingsFrom((command.opts() as { rateLimitScale?: string }).rateLimitScale),
      );
    });

  program
    .command("validate")
    .description("check spec files: syntax, types, AWS limits and cross-field rules (no AWS calls)")
    .addOption(specPathOption())
    .option("--json", "print a machine-readable report")
    .action(async (options: { file: string; json?: boolean }) => {
      setExitCode(await validateCommand(options, streams));
    });

  program
    .command("run")
    .description(
      "the daemon: keep the specs' services converged, forever; log drift; serve /healthz, /readyz, /metrics, /status",
    )
    .addOption(specPathOption())
    .option("--dry-run", "report drift and planned changes, change nothing")
    .option(
      "--resync <duration>",
      "how often every service is re-read even without an edit (fixed-rate, jittered shorter by up to 10 %)",
      "60s",
    )
    .option(
      "--slow-resync <duration>",
      "how often rarely drifting attributes (target group attributes, cluster tags) and a steady service's target health are re-read (at or below --resync: every pass)",
      "10m",
    )
    .option("--listen <host:port>", "where /healthz, /readyz, /metrics and /status answer", "127.0.0.1:9090")
    .option("--concurrency <n>", "services reconciled at the same time", "4")
    .option(
      "--prune",
      "destroy a service's resources when its spec file is deleted (default: stop managing it only)",
    )
    .option("--local", "use the built-in emulator at 127.0.0.1:4566")
    .option("--emulator", "start the built-in emulator in this process and converge against it")
    .option(
      "--listener-ports <pairs>",
      "with --emulator: local ports of load balancer listeners as listener=local pairs (0: a free port; other listeners get free ports)",
      "80=8080",
    )
    .option("--emulator-speed <factor>", "simulated seconds per real second for --emulator", "60")
    .addOption(runImageOption())
    .addOption(imagesOption())
    .option("--log-level <level>", "trace, debug, info, warn, error", "info")
    .option("--log-format <format>", "json or pretty (default: pretty on a terminal)")
    .option(
      "--pass-timeout <duration>",
      "a reconcile pass still running after this long is abandoned and retried with backoff",
      "10m",
    )
    .option(
      "--watchdog <duration>",
      "/healthz fails when a service has had a pass due for this long without finishing one",
      "15m",
    )
    .option(
      "--lease-table <name>",
      "coordinate replicas through leases in this DynamoDB table (created if missing): one writer per service",
    )
    .option("--lease-region <region>", "the lease table's region (default: AWS_REGION)")
    .option(
      "--lease-duration <duration>",
      "how long a lease lasts unrenewed: a replica's services move this long after it dies",
      "60s",
    )
    .option("--replica-id <id>", "this replica's name in the lease table (default: hostname-pid-random)")
    .addOption(callTimeoutOption())
    .addOption(connectTimeoutOption())
    .addOption(rateLimitScaleOption())
    .action(async (options: RunOptions) => {
      setExitCode(await runCommand(options, streams));
    });

  program
    .command("plan")
    .description("show what apply would change: reads AWS, changes nothing")
    .addOption(specPathOption())
    .option("--json", "print the plan as JSON (a stable format, see README)")
    .option(
      "--detailed-exitcode",
      "exit 0 when AWS runs the spec, 2 when changes are pending or a revision is held back, 1 on error",
    )
    .option("--local", "use the built-in emulator at 127.0.0.1:4566")
    .addOption(callTimeoutOption())
    .addOption(connectTimeoutOption())
    .addOption(rateLimitScaleOption())
    .action(async (options: PlanOptions) => {
      setExitCode(await planCommand(options, streams));
    });

  program
    .command("apply")
    .description("converge AWS to the spec once, printing each change as it happens")
    .addOption(specPathOption())
    .option("--wait", "return only when the service is stable; fail when the rollout fails or is rolled back")
    .option(
      "--timeout <duration>",
      "the most the whole apply (changes and --wait) may take, per service",
      "15m",
    )
    .option("--poll-interval <duration>", "how often --wait reads the rollout", "5s")
    .option(
      "--retry-failed",
      "roll out a revision held back after a failed rollout again (once the cause is fixed outside the spec)",
    )
    .option("--force-new-deployment", "start a new deployment of the service even when nothing changed")
    .option("--local", "use the built-in emulator at 127.0.0.1:4566")
    .addOption(callTimeoutOption())
    .addOption(connectTimeoutOption())
    .addOption(rateLimitScaleOption())
    .action(async (options: ApplyOptions) => {
      setExitCode(await applyCommand(options, streams));
    });

  program
    .command("destroy")
    .description("delete every resource the spec owns, in reverse dependency order")
    .addOption(specPathOption())
    .option("--yes", "do not ask for confirmation (required when not run from a terminal)")
    .option("--keep-logs", "keep the CloudWatch log group")
    .option("--json", "print what was deleted and what was left in place, and why, as JSON (needs --yes)")
    .option(
      "--timeout <duration>",
      "the most the whole destroy (deletions and waits) may take, per service",
      "15m",
    )
    .option("--local", "use the built-in emulator at 127.0.0.1:4566")
    .addOption(callTimeoutOption())
    .addOption(connectTimeoutOption())
    .addOption(rateLimitScaleOption())
    .action(async (options: DestroyCommandOptions) => {
      setExitCode(await destroyCommand(options, streams));
    });

  program
    .command("status")
    .description(
      "show each resource found or missing, the rollout, tasks, autoscaling, recent events and whether anything drifted",
    )
    .addOption(specPathOption())
    .option("--json", "print a machine-readable report")
    .option("--local", "use the built-in emulator at 127.0.0.1:4566")
    .addOption(callTimeoutOption())
    .addOption(connectTimeoutOption())
    .addOption(rateLimitScaleOption())
    .action(async (options: StatusOptions) => {
      setExitCode(await statusCommand(options, streams));
    });

  program
    .command("logs")
    .description("print the service's container logs from CloudWatch Logs, oldest first")
    .addOption(specPathOption())
    .option("--follow", "keep printing new lines as they arrive, until Ctrl-C")
    .option("--since <duration>", "start this long ago", "10m")
    .option("--poll-interval <duration>", "how often --follow asks for new lines (1s to 1m)", "2s")
    .option("--json", "one JSON object per line: service, timestamp, stream, task, message")
    .option("--local", "use the built-in emulator at 127.0.0.1:4566")
    .addOption(callTimeoutOption())
    .addOption(connectTimeoutOption())
    .addOption(rateLimitScaleOption())
    .action(async (options: LogsOptions) => {
      setExitCode(await logsCommand(options, streams));
    });

  program
    .command("iam-policy")
    .description(
      "print the least-privilege IAM policy the controller needs: exactly the actions it calls, scoped by name and ownership tag",
    )
    .option(
      "-f, --file <path>",
      "scope it to exactly these specs: their names, clusters, log groups, roles and tags",
    )
    .option("--name-prefix <prefix>", "scope it to the services whose names start with this prefix")
    .option(
      "--pass-role <arn>",
      "a role ARN (wildcards allowed) tasks may be given; repeatable (default: the specs' roles, else ecs-converge-*)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("--lease-table <name>", "allow the DynamoDB lease table of run --lease-table")
    .option("--adopt", "allow taking over untagged resources with our names (metadata.adopt)")
    .action(async (options: IamPolicyOptions) => {
      setExitCode(await iamPolicyCommand(options, streams));
    });

  program
    .command("schema")
    .description("print the JSON Schema of the Service document")
    .action(() => {
      setExitCode(schemaCommand(streams));
    });

  program
    .command("emulator")
    .description(
      "run the built-in AWS emulator (ECS, ELBv2, EC2, Application Auto Scaling, CloudWatch Logs) on loopback",
    )
    .option("--port <port>", "port on the host (0 picks a free one)", "4566")
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--speed <factor>", "simulated seconds per real second", "60")
    .option(
      "--listener-ports <pairs>",
      "local ports of load balancer listeners as listener=local pairs (0: a free port; other listeners get free ports)",
      "80=8080",
    )
    .option("--seed <n>", "seed for ids and injected faults", "1")
    .option(
      "--rate-limits <preset>",
      "aws: throttle API calls per region as AWS documents its rate limits; none: never",
      "none",
    )
    .addOption(runImageOption())
    .addOption(imagesOption())
    .action(async (options: EmulatorCommandOptions) => {
      // Loaded only for this command: the other commands never hold the emulator's code.
      const { emulatorCommand } = await import("./commands/emulator.ts");
      setExitCode(await emulatorCommand(options, streams));
    });

  program
    .command("completion")
    .description("print a shell completion script: commands, options, and file names for -f")
    .addArgument(new Argument("<shell>", "bash, zsh or fish").choices(COMPLETION_SHELLS))
    .action((shell: CompletionShell) => {
      setExitCode(completionCommand(program, shell, streams));
    });

  return program;
}

/** Runs the CLI with the given arguments (without `node` and the script) and returns the exit code. */
export async function runCli(args: readonly string[], streams: CliStreams): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.Ok;
  const program = createProgram(streams, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...args], { from: "user" });
    return exitCode;
  } catch (error) {
    return reportError(error, streams);
  }
}

function reportError(error: unknown, streams: CliStreams): ExitCode {
  const err = new TerminalWriter(streams.stderr);
  if (error instanceof CommanderError) {
    // Help and version "errors" are commander's way of stopping after printing; they are successes.
    return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Error;
  }
  if (error instanceof SpecError) {
    for (const issue of error.issues) err.line(`${err.style("red", "error:")} ${formatIssue(issue)}`);
    return ExitCode.Error;
  }
  if (error instanceof CliError) {
    err.line(`${err.style("red", "error:")} ${error.message}`);
    if (error.hint) err.line(`  ${error.hint}`);
    return ExitCode.Error;
  }
  const message = error instanceof Error ? error.message : String(error);
  err.line(`${err.style("red", "error:")} ${message}`);
  // Line by line: `line` escapes line breaks inside one line.
  if (process.env.ECS_CONVERGE_DEBUG)
    for (const line of String((error as Error | undefined)?.stack ?? "").split("\n")) err.line(line);
  else err.line("  this is unexpected: please report it; ECS_CONVERGE_DEBUG=1 shows the stack trace");
  return ExitCode.Error;
}
