/** Durations on the command line: `15m`, `90s`, `1h`, `500ms` or plain seconds. */
import { CliError } from "./cli-error.ts";

export function parseDuration(option: string, text: string): number {
  const match = text.trim().match(/^(\d+(?:\.\d+)?)(ms|s|m|h)?$/);
  if (!match) throw new CliError(`${option} ${text}: expected a duration like 15m, 90s or 1h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Number(match[1]) * unit;
}
