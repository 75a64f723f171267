/**
 * Which files a spec path means: one file, or the `*.yaml`/`*.yml` files of a directory (hidden ones,
 * editor backups and swap files aside). Shared by the loader and the daemon's watcher, so `validate`
 * and `run` read the same files and word the same problems the same way.
 */
import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { SpecError, type SpecIssue } from "./issues.ts";

const SPEC_EXTENSIONS = new Set([".yaml", ".yml"]);

/** Whether a directory entry is a spec file by its name (this also leaves out `*.swp`, `*~` and `.#*`). */
export function isSpecFileName(name: string): boolean {
  return SPEC_EXTENSIONS.has(extname(name)) && !name.startsWith(".");
}

/** A file that cannot be read, as an issue naming it. */
export function readIssue(file: string, error: unknown): SpecIssue {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message =
    code === "ENOENT"
      ? "no such file or directory"
      : code === "EACCES"
        ? "permission denied: cannot read it"
        : code === "EISDIR"
          ? "is a directory, expected a spec file"
          : `cannot read it: ${(error as Error | undefined)?.message ?? String(error)}`;
  return { severity: "error", file, path: "", message };
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

/** The spec files of a directory, sorted by name; none at all is a `SpecError`. */
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

/** The files a spec path means: itself, or the spec files of the directory it names. */
export async function specFilesAt(path: string): Promise<string[]> {
  return (await specPathKind(path)) === "directory" ? specFilesIn(path) : [path];
}
