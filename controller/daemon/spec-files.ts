/**
 * Which files of a spec path the daemon reads, and what one read of a file yields. The rules are the
 * loader's (`specs/load.ts`): a directory holds `*.yaml`/`*.yml` files, hidden files are skipped, a
 * missing path or a directory without specs is a `SpecError`.
 */
import type { Dirent } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { type LoadedSpec, parseSpec, SpecError, type SpecIssue } from "../../specs/index.ts";

const SPEC_EXTENSIONS = new Set([".yaml", ".yml"]);

/** Whether a directory entry is a spec file by its name (this also leaves out `*.swp`, `*~` and `.#*`). */
export function isSpecFileName(name: string): boolean {
  return SPEC_EXTENSIONS.has(extname(name)) && !name.startsWith(".");
}

export type SpecPathKind = "file" | "directory";

/** Whether a spec path is one file or a directory of them; a path that cannot be read is a `SpecError`. */
export async function specPathKind(path: string): Promise<SpecPathKind> {
  try {
    return (await stat(path)).isDirectory() ? "directory" : "file";
  } catch (error) {
    throw new SpecError(path, [readIssue(path, error)]);
  }
}

/** The spec files of a directory, sorted by name; none at all is a `SpecError`, as for `validate`. */
export async function specFilesIn(directory: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    throw new SpecError(directory, [readIssue(directory, error)]);
  }
  const files = entries
    .filter((entry) => entry.isFile() && isSpecFileName(entry.name))
    .map((entry) => join(directory, entry.name))
    .sort();
  if (files.length === 0) {
    throw new SpecError(directory, [
      {
        severity: "error",
        file: directory,
        path: "",
        message: "the directory holds no .yaml or .yml spec files",
      },
    ]);
  }
  return files;
}

/**
 * One read of a spec file. `content` identifies the validated spec (key order aside), so a save
 * without changes is recognised; `version` identifies a broken text, so each is reported once.
 */
export type SpecFileRead =
  | { kind: "absent" }
  | { kind: "valid"; loaded: LoadedSpec; content: string }
  | { kind: "invalid"; issues: readonly SpecIssue[]; version: string };

/** Reads and validates one spec file; a file that is gone (or is not a file) is `absent`. */
export async function readSpecFile(file: string): Promise<SpecFileRead> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return { kind: "absent" };
    const issue = readIssue(file, error);
    return { kind: "invalid", issues: [issue], version: `unreadable: ${issue.message}` };
  }
  try {
    const loaded = parseSpec(text, file);
    return { kind: "valid", loaded, content: canonicalJson(loaded.spec) };
  } catch (error) {
    if (error instanceof SpecError) return { kind: "invalid", issues: error.issues, version: text };
    throw error;
  }
}

/** JSON with object keys sorted, so two specs compare equal whatever order their maps were written in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) return item;
    return Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

function readIssue(file: string, error: unknown): SpecIssue {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message =
    code === "ENOENT"
      ? "no such file or directory"
      : code === "EACCES"
        ? "permission denied: cannot read it"
        : `cannot read it: ${(error as Error | undefined)?.message ?? String(error)}`;
  return { severity: "error", file, path: "", message };
}
