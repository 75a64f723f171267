/**
 * The daemon's logs: pino JSON lines on stdout, or pretty lines for a person at a terminal. Messages
 * are constant; what varies goes in fields (`service`, `resource`, `path`, …) so logs can be queried.
 */
import type { Writable } from "node:stream";
import { type LevelWithSilent, type Logger, pino } from "pino";
import pinoPretty from "pino-pretty";

export type LogFormat = "json" | "pretty";
export type { Logger };

export const LOG_LEVELS: readonly LevelWithSilent[] = [
  "trace",
  "debug",
  "info",
  "warn",
  "error",
  "fatal",
  "silent",
];

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Default: pretty on a terminal, JSON otherwise. */
  format?: LogFormat;
  destination?: Writable;
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stdout;
  const isTerminal = Boolean((destination as { isTTY?: boolean }).isTTY);
  const format = options.format ?? (isTerminal ? "pretty" : "json");
  const base = { level: options.level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime };
  if (format === "json") return pino(base, destination);
  // In-process pretty printing (no worker thread): lines appear in order with the rest of the output.
  const pretty = pinoPretty({
    destination,
    colorize: isTerminal && !process.env.NO_COLOR,
    translateTime: "HH:MM:ss",
    // One line per event, the service first: a person follows several services at a glance.
    singleLine: true,
    messageFormat: "{if service}{service}: {end}{msg}{if resource} {resource} {name}{end}",
    ignore: "pid,hostname,service,resource,name",
    sync: true,
  });
  return pino(base, pretty);
}
