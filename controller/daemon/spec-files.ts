/**
 * What one read of a spec file yields for the daemon: absent, valid (with a fingerprint of its
 * content), or invalid (with the text, so each broken version is reported once). Which files a path
 * means is `specs/spec-files.ts`, shared with the loader.
 */
import { createHash } from "node:crypto";
import {
  type LoadedSpec,
  parseSpec,
  readIssue,
  readSpecText,
  SpecError,
  type SpecIssue,
} from "../../specs/index.ts";

/**
 * One read of a spec file. `content` identifies the validated spec (key order aside), so a save
 * without changes is recognised; `version` identifies a broken text, so each is reported once.
 */
export type SpecFileRead =
  | { kind: "absent" }
  | { kind: "valid"; loaded: LoadedSpec; content: string }
  | { kind: "invalid"; issues: readonly SpecIssue[]; version: string };

/**
 * Reads (at most `MAX_SPEC_FILE_BYTES`, asynchronously) and validates one spec file; a file that is
 * gone (or is not a file) is `absent`.
 */
export async function readSpecFile(file: string): Promise<SpecFileRead> {
  let text: string;
  try {
    text = await readSpecText(file);
  } catch (error) {
    if (error instanceof SpecError) {
      // Too large or not text: the problem itself tells one such version from another.
      return { kind: "invalid", issues: error.issues, version: `unreadable: ${error.message}` };
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return { kind: "absent" };
    const issue = readIssue(file, error);
    return { kind: "invalid", issues: [issue], version: `unreadable: ${issue.message}` };
  }
  try {
    const loaded = parseSpec(text, file);
    return { kind: "valid", loaded, content: specFingerprint(loaded.spec) };
  } catch (error) {
    if (error instanceof SpecError) return { kind: "invalid", issues: error.issues, version: text };
    throw error;
  }
}

/**
 * What identifies a validated spec: the same values give the same fingerprint, whatever order their maps
 * were written in. A hash rather than the JSON itself: a daemon holds one per service of its fleet.
 */
export const specFingerprint = (spec: unknown): string =>
  createHash("sha256").update(canonicalJson(spec)).digest("hex");

/** JSON with object keys sorted, so two specs compare equal whatever order their maps were written in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) return item;
    return Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}
