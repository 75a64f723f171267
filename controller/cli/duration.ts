/**
 * Durations on the command line, one grammar everywhere: `15m`, `90s`, `1m30s`, `1h`, `500ms`, or plain
 * seconds (`30`), each option with bounds of its own, so `--resync 0s` cannot spin the daemon.
 */
import { CliError } from "./cli-error.ts";

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

export interface DurationBounds {
  /** Inclusive, in milliseconds. */
  minMs?: number;
  maxMs?: number;
}

/** `1m30s` → 90000; throws a CliError naming the option when the text is not a duration or out of bounds. */
export function parseDuration(option: string, text: string, bounds: DurationBounds = {}): number {
  const trimmed = text.trim();
  const expected = `${option} ${text}: expected a duration like 15m, 90s, 1m30s or 1h`;
  let ms: number;
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
    if (parts.length === 0 || parts.map((part) => part[0]).join("") !== trimmed) throw new CliError(expected);
    ms = parts.reduce(
      (sum, [, value, unit]) => sum + Number(value) * UNIT_MS[unit as keyof typeof UNIT_MS],
      0,
    );
  }
  const { minMs, maxMs } = bounds;
  if ((minMs !== undefined && ms < minMs) || (maxMs !== undefined && ms > maxMs)) {
    const range =
      minMs !== undefined && maxMs !== undefined
        ? `between ${formatDuration(minMs)} and ${formatDuration(maxMs)}`
        : minMs !== undefined
          ? `at least ${formatDuration(minMs)}`
          : `at most ${formatDuration(maxMs ?? 0)}`;
    throw new CliError(`${option} ${text}: must be ${range}`);
  }
  return ms;
}

/** 90000 → `1m30s`; 500 → `500ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, seconds] of [
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= seconds) {
      parts.push(`${Math.floor(rest / seconds)}${unit}`);
      rest %= seconds;
    }
  }
  return parts.join("");
}
