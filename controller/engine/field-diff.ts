/**
 * Compares a desired resource with what AWS reports, field by field. Only fields the desired side
 * sets are compared (AWS adds plenty of its own), so both sides must already be normalised:
 * defaults filled on the desired side, empty values folded on the observed side.
 */
import { type FieldDiff, KNOWN_AFTER_APPLY, REDACTED } from "./plan.ts";

export interface DiffOptions {
  /** Paths whose values must never be shown (secret ARNs): reported as changed, values redacted. */
  isSensitive?: (path: string) => boolean;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** Deep equality of JSON-like values; arrays compare in order (normalise order first). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set(
      [...Object.keys(a), ...Object.keys(b)].filter((key) => a[key] !== undefined || b[key] !== undefined),
    );
    return [...keys].every((key) => deepEqual(a[key], b[key]));
  }
  return false;
}

/**
 * The fields of `desired` that `observed` does not match. Objects are walked key by key; arrays and
 * scalars compare as whole values. A desired value still unknown (`KNOWN_AFTER_APPLY`) counts as a change.
 */
export function diffFields(
  desired: unknown,
  observed: unknown,
  options: DiffOptions = {},
  path = "",
): FieldDiff[] {
  if (isPlainObject(desired)) {
    const observedObject = isPlainObject(observed) ? observed : {};
    return Object.entries(desired).flatMap(([key, value]) =>
      value === undefined
        ? []
        : diffFields(value, observedObject[key], options, path ? `${path}.${key}` : key),
    );
  }
  if (deepEqual(desired, observed)) return [];
  if (options.isSensitive?.(path))
    return [{ path, desired: REDACTED, observed: observed === undefined ? undefined : REDACTED }];
  return [{ path, desired, observed }];
}

/** Whether a desired value still waits on a resource that does not exist yet. */
export function isKnownAfterApply(value: unknown): boolean {
  return value === KNOWN_AFTER_APPLY;
}
