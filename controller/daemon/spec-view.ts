/**
 * What a set of spec files puts in force: each file's last good version, unless two files name the
 * same service, in which case neither does (the loader's rule: neither can be trusted to win).
 */
import type { LoadedSpec, SpecIssue } from "../../specs/index.ts";

/** What the daemon knows about one spec file. */
export interface SpecFileState {
  file: string;
  /** The last version that validated: it stays in force while the file is broken. */
  lastGood?: { loaded: LoadedSpec; content: string };
  /** Set while the file's current text does not validate: what is wrong, and which text that was. */
  broken?: { issues: readonly SpecIssue[]; version: string };
}

/** A service's spec in force, with the identity of its content (see `readSpecFile`). */
export interface InForce {
  file: string;
  loaded: LoadedSpec;
  content: string;
}

export interface SpecView {
  inForce: Map<string, InForce>;
  /** Services named by more than one file, with those files (sorted). */
  duplicates: Map<string, string[]>;
}

/** The services in force and the duplicates among the files' last good versions. */
export function viewOf(states: Iterable<SpecFileState>): SpecView {
  const byService = new Map<string, SpecFileState[]>();
  for (const state of states) {
    if (!state.lastGood) continue;
    const service = state.lastGood.loaded.spec.metadata.name;
    byService.set(service, [...(byService.get(service) ?? []), state]);
  }
  const view: SpecView = { inForce: new Map(), duplicates: new Map() };
  for (const [service, named] of [...byService].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const [only, ...others] = named;
    if (only?.lastGood && others.length === 0) {
      view.inForce.set(service, { file: only.file, ...only.lastGood });
    } else {
      view.duplicates.set(service, named.map((state) => state.file).sort());
    }
  }
  return view;
}

/** Every problem of every file: its current validation issues, and being one of a duplicate pair. */
export function problemsOf(
  states: Iterable<SpecFileState>,
  view: SpecView,
): Array<{ file: string; issues: SpecIssue[] }> {
  const problems: Array<{ file: string; issues: SpecIssue[] }> = [];
  for (const state of [...states].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
    const issues = [...(state.broken?.issues ?? [])];
    const service = state.lastGood?.loaded.spec.metadata.name;
    const duplicates = service === undefined ? undefined : view.duplicates.get(service);
    if (state.lastGood && duplicates) {
      const others = duplicates.filter((file) => file !== state.file);
      // Worded as the loader words it, so `validate` and the daemon say the same thing.
      issues.push({
        severity: "error",
        file: state.file,
        ...state.lastGood.loaded.locate(["metadata", "name"]),
        path: "metadata.name",
        message: `service "${service}" is also defined in ${others.join(", ")}: each service must have exactly one spec file`,
      });
    }
    if (issues.length > 0) problems.push({ file: state.file, issues });
  }
  return problems;
}
