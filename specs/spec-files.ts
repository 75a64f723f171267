/**
 * Which files a spec path means: one file, or the `*.yaml`/`*.yml` files of a directory (hidden ones,
 * editor backups and swap files aside). Shared by the loader and the daemon's watcher, so `validate`
 * and `run` read the same files and word the same problems the same way.
 *
 * A spec file may be a symbolic link, wherever it points (a Kubernetes ConfigMap volume is all links:
 * `service.yaml -> ..data/service.yaml`, `..data -> ..2026_11_30_…`). Only the directory's own entries
 * are listed, never subdirectories (so no link can lead into a loop), and dot-entries such as `..data`
 * are never listed; a link that loops or dangles is listed, so that reading it reports the problem.
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
          : code === "ELOOP"
            ? "is a symbolic link that leads back to itself: point it at a spec file"
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
  const candidates = entries.filter((entry) => isSpecFileName(entry.name));
  const listed = await Promise.all(
    candidates.map(async (entry) => ((await isSpecFileEntry(directory, entry)) ? entry.name : undefined)),
  );
  const files = listed
    .filter((name) => name !== undefined)
    .map((name) => join(directory, name))
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

/** A regular file, or a link to one (or a link that cannot be followed: reading it will say why). */
async function isSpecFileEntry(directory: string, entry: Dirent): Promise<boolean> {
  if (entry.isFile()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return (await stat(join(directory, entry.name))).isFile();
  } catch {
    return true;
  }
}

/** The files a spec path means: itself, or the spec files of the directory it names. */
export async function specFilesAt(path: string): Promise<string[]> {
  return (await specPathKind(path)) === "directory" ? specFilesIn(path) : [path];
}
