/** `ecs-converge emulator`: the built-in AWS emulator, standalone, until SIGTERM or Ctrl-C. */
import { DEFAULT_REGION, InjectedFaults, ScaledClock, startEmulator } from "../../../emulator/index.ts";
import { CliError } from "../cli-error.ts";
import { type EmulatorImageOptions, emulatorImagesFrom } from "../emulator-images.ts";
import { ExitCode } from "../exit-codes.ts";
import { describeServedListener, parseListenerPorts } from "../listener-ports.ts";
import { type CliStreams, TerminalWriter } from "../terminal.ts";

export interface EmulatorCommandOptions extends EmulatorImageOptions {
  port: string;
  host: string;
  speed: string;
  seed: string;
  /** `80=8080` pairs: where load balancer listeners are served. */
  listenerPorts?: string;
  /** `aws`: throttle calls as AWS documents its API rate limits; `none` (the default): never. */
  rateLimits?: string;
}

function parseNumber(
  name: string,
  text: string,
  valid: (value: number) => boolean,
  expected: string,
): number {
  const value = Number(text);
  if (text.trim() === "" || !valid(value)) throw new CliError(`--${name} ${text}: expected ${expected}`);
  return value;
}

/** Serves until `stopped` resolves (a signal in production, a promise in tests). */
export async function emulatorCommand(
  options: EmulatorCommandOptions,
  streams: CliStreams,
  stopped: Promise<string> = untilSignal(),
): Promise<ExitCode> {
  const port = parseNumber(
    "port",
    options.port,
    (value) => Number.isInteger(value) && value >= 0 && value <= 65535,
    "a port number (0 picks a free one)",
  );
  const speed = parseNumber(
    "speed",
    options.speed,
    (value) => value > 0 && Number.isFinite(value),
    "a positive number (60 = a simulated minute per second)",
  );
  const seed = parseNumber("seed", options.seed, (value) => Number.isSafeInteger(value), "an integer");
  const listenerPorts = parseListenerPorts(options.listenerPorts ?? "80=8080");
  const out = new TerminalWriter(streams.stdout);
  const images = emulatorImagesFrom(options);
  const rateLimits = options.rateLimits ?? "none";
  if (rateLimits !== "aws" && rateLimits !== "none")
    throw new CliError(`--rate-limits ${rateLimits}: expected aws or none`);

  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator({
      port,
      host: options.host,
      clock: new ScaledClock(speed),
      seed,
      images,
      listenerPorts,
      onListenerEvent: (message, listener) => out.line(describeServedListener(message, listener)),
      ...(rateLimits === "aws" ? { faults: new InjectedFaults({ seed, preset: "aws" }) } : {}),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new CliError(`port ${port} is already in use on ${options.host}`, {
        hint: "choose another with --port, or --port 0 for any free port",
      });
    }
    throw error;
  }

  out.line(`AWS emulator listening on ${emulator.url} (clock ×${speed}, seed ${seed})`);
  out.line("Point the AWS SDK or CLI at it with:");
  out.line(`  export AWS_ENDPOINT_URL=${emulator.url}`);
  out.line(`  export AWS_REGION=${DEFAULT_REGION}`);
  out.line("  export AWS_ACCESS_KEY_ID=emulator AWS_SECRET_ACCESS_KEY=emulator");
  if (rateLimits === "aws")
    out.line("API calls are throttled as AWS documents its rate limits, per region (emulator/README.md).");
  for (const { pattern, command } of images)
    out.line(`Tasks of ${pattern} run as local processes: ${command.join(" ")}`);
  out.line(
    `State: ${emulator.url}/_emulator/state · calls: ${emulator.url}/_emulator/calls · Ctrl-C stops it.`,
  );
  out.line(
    `Active load balancers are served on loopback: ${emulator.url}/_emulator/elbv2/listeners maps each DNS name and listener port to its URL.`,
  );

  const signal = await stopped;
  out.line(`${signal}: stopping the emulator`);
  await emulator.close();
  return ExitCode.Ok;
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
