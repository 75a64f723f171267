/**
 * The daemon's logs: pino JSON lines on stdout, or pretty lines for a person at a terminal. Messages
 * are constant; what varies goes in fields (`service`, `resource`, `path`, …) so logs can be queried.
 */
import { createRequire } from "node:module";
import type { Writable } from "node:stream";
import { type LevelWithSilent, type Logger, pino } from "pino";
import type pinoPrettyModule from "pino-pretty";

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
  // Loaded only for pretty output: a daemon logging JSON never holds it.
  const pinoPretty = createRequire(import.meta.url)("pino-pretty") as typeof pinoPrettyModule;
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
  return pino({ ...base, hooks: { streamWrite: escapeControlCharactersInJson } }, pretty);
}

/**
 * An escaped backslash (matched so that the backslash after it is not taken for an escape), an
 * escaped control character other than a line feed or tab, or a character JSON leaves raw that a
 * terminal acts on: DEL, C1 controls, line separators, bidirectional overrides.
 */
const ESCAPES_IN_JSON =
  /\\\\|\\u00[01][0-9a-fA-F]|\\u007[fF]|\\[rbf]|[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * A JSON log line → the same line, where every control character a string holds is written as the text
 * of its escape (`\u001b` arrives as the six characters, not as ESC). pino-pretty parses the line and
 * prints strings as they are, so text from a spec or an AWS error could otherwise drive the terminal.
 * Line feeds and tabs stay: a stack trace keeps its lines.
 */
export function escapeControlCharactersInJson(line: string): string {
  return line.replace(ESCAPES_IN_JSON, (match) => {
    if (match === "\\\\" || match === "\\u000a" || match === "\\u0009") return match;
    if (match.startsWith("\\")) return `\\${match}`;
    return `\\\\u${match.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}
