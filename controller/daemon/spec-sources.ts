/**
 * The daemon's view of the spec files under a path (one file, or a directory of `*.yaml`/`*.yml`, one
 * service each), kept current by watching them. A service's spec in force is the last version of its
 * file that validated: a broken edit is reported and otherwise ignored, so it never hurts.
 *
 * Events (all synchronous, in this order within one pass over the changed files):
 * - `invalid`   a file's new text does not validate; once per distinct broken text of a file.
 * - `duplicate` a service is named by several files; none of them is in force. Once per set of files.
 * - `recovered` a file that had validation problems validates again (with or without a change in force).
 * - `removed`   a service has no spec in force any more: management stops (nothing is deleted in AWS).
 * - `changed`   a service's spec in force is new, or its content (or file) changed.
 * - `settled`   the end of every pass, listing the files re-read (also when nothing changed).
 * - `watchError` the watcher or a pass failed unexpectedly; watching goes on.
 * The initial load emits nothing: read `services()` and `problems()` once `open` resolves.
 *
 * Files are read one at a time, each bounded by the loader's size limit, and a burst of events queues
 * at most one pass behind the one running: no edit, however large or frequent, holds the event loop
 * for long or piles up work. A directory mounted from a Kubernetes ConfigMap is followed too: its
 * update swaps the `..data` link, and any change of a `..` entry re-reads every spec file.
 */
import { EventEmitter } from "node:events";
import { basename, dirname, join, resolve } from "node:path";
import { type FSWatcher, watch } from "chokidar";
import {
  isSpecFileName,
  type LoadedSpec,
  type SpecIssue,
  type SpecPathKind,
  specFilesIn,
  specPathKind,
} from "../../specs/index.ts";
import { readSpecFile, type SpecFileRead } from "./spec-files.ts";
import { problemsOf, type SpecFileState, type SpecView, viewOf } from "./spec-view.ts";

export interface SpecSourcesOptions {
  /** Quiet time after a file's last event before it is re-read (ms). */
  debounceMs?: number;
  /** Keep watching after the initial load (default true). */
  watch?: boolean;
}

/**
 * Why a service stopped having a spec in force: its file was `deleted`, its file now names another
 * service (`renamed`), or another file names it too (`duplicate`, also reported by a `duplicate` event).
 */
export type RemovedReason = "deleted" | "renamed" | "duplicate";

export interface SpecSourceEvents {
  changed: [{ service: string; loaded: LoadedSpec; file: string }];
  removed: [{ service: string; file: string; reason: RemovedReason }];
  /** `issues` carry file:line:col and path; `keptService` names the service whose last good spec stays in force. */
  invalid: [{ file: string; issues: readonly SpecIssue[]; keptService?: string }];
  recovered: [{ file: string; service: string }];
  duplicate: [{ service: string; files: string[] }];
  settled: [{ files: string[] }];
  watchError: [{ error: Error }];
}

const DEFAULT_DEBOUNCE_MS = 200;

/** Chokidar holds an event until the file's size has been stable this long (truncate-then-write saves). */
const WRITE_STABILITY = { stabilityThreshold: 50, pollInterval: 20 };

/** The spec files under a path, watched: the spec in force per service, the problems, and their changes. */
export class SpecSources extends EventEmitter<SpecSourceEvents> {
  /** The path as given: a file, or a directory of spec files. */
  readonly path: string;
  readonly kind: SpecPathKind;
  readonly #debounceMs: number;
  /** Keyed by the file's name as reported (the directory as given, joined with the file's name). */
  readonly #states = new Map<string, SpecFileState>();
  #view: SpecView = viewOf([]);
  #watcher: FSWatcher | undefined;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #due = new Set<string>();
  /** Passes run one at a time, in order; the initial load is the first. */
  #passes: Promise<void> = Promise.resolve();
  /** Whether a pass is queued and not yet started: it will take every file due by then. */
  #passQueued = false;
  #closing: Promise<void> | undefined;

  private constructor(path: string, kind: SpecPathKind, debounceMs: number) {
    super();
    this.path = path;
    this.kind = kind;
    this.#debounceMs = debounceMs;
  }

  /** Reads every spec under `path` (a missing path is a `SpecError`), then watches them unless told not to. */
  static async open(path: string, options: SpecSourcesOptions = {}): Promise<SpecSources> {
    const sources = new SpecSources(
      path,
      await specPathKind(path),
      options.debounceMs ?? DEFAULT_DEBOUNCE_MS,
    );
    try {
      // Watch first, so that nothing written while the initial load reads is missed.
      if (options.watch ?? true) await sources.#startWatching();
      const initialLoad = sources.#loadAll();
      sources.#passes = initialLoad.catch(() => undefined);
      await initialLoad;
    } catch (error) {
      await sources.close();
      throw error;
    }
    return sources;
  }

  /** The spec in force per service name: the last good version of its file. */
  services(): Map<string, LoadedSpec> {
    return new Map([...this.#view.inForce].map(([service, { loaded }]) => [service, loaded]));
  }

  /** The file whose spec is in force for `service`. */
  fileOf(service: string): string | undefined {
    return this.#view.inForce.get(service)?.file;
  }

  /** The current problems per file (validation issues, duplicate service names), sorted by file. */
  problems(): Array<{ file: string; issues: SpecIssue[] }> {
    return problemsOf(this.#states.values(), this.#view);
  }

  /** Stops watching; no event is emitted once the returned promise resolves. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const timer of this.#timers.values()) clearTimeout(timer);
      this.#timers.clear();
      this.#due.clear();
      await this.#watcher?.close();
      await this.#passes;
    })();
    return this.#closing;
  }

  get #closed(): boolean {
    return this.#closing !== undefined;
  }

  async #loadAll(): Promise<void> {
    const files = this.kind === "directory" ? await specFilesIn(this.path) : [this.path];
    const reads = await readEach(files);
    files.forEach((file, index) => {
      const read = reads[index];
      if (read) this.#apply(file, read);
    });
    this.#view = viewOf(this.#states.values());
  }

  async #startWatching(): Promise<void> {
    // A single file is watched through its directory, so a save that renames over it is still seen.
    const directory = this.kind === "directory" ? this.path : dirname(this.path);
    const watchedDirectory = resolve(directory);
    const fileOfPath = (path: string): string | undefined => {
      const absolute = resolve(path);
      if (this.kind === "file") return absolute === resolve(this.path) ? this.path : undefined;
      if (dirname(absolute) !== watchedDirectory || !isSpecFileName(basename(absolute))) return undefined;
      return join(this.path, basename(absolute));
    };
    // Kubernetes' atomic writer (ConfigMap, Secret and projected volumes) names its entries `..data`,
    // `..data_tmp` and `..<timestamp>`; the spec files are links through `..data`.
    const isAtomicWriterEntry = (path: string) =>
      dirname(resolve(path)) === watchedDirectory && basename(path).startsWith("..");
    const watcher = watch(directory, {
      depth: 0,
      ignoreInitial: true,
      // Editors that save by writing a temp file and renaming it over the spec produce one `change`.
      atomic: true,
      awaitWriteFinish: WRITE_STABILITY,
      ignored: (path) =>
        resolve(path) !== watchedDirectory && fileOfPath(path) === undefined && !isAtomicWriterEntry(path),
    });
    this.#watcher = watcher;
    watcher.on("all", (_event, path) => {
      const file = fileOfPath(path);
      if (file !== undefined) this.#schedule(file);
      else if (isAtomicWriterEntry(path)) void this.#scheduleEverySpecFile();
    });
    watcher.on("error", (error) => {
      if (!this.#closed) this.emit("watchError", { error: toError(error) });
    });
    await new Promise<void>((ready) => watcher.once("ready", ready));
  }

  /** Debounces per file: the file is re-read once its events have been quiet for `debounceMs`. */
  #schedule(file: string): void {
    if (this.#closed) return;
    clearTimeout(this.#timers.get(file));
    this.#timers.set(
      file,
      setTimeout(() => {
        this.#timers.delete(file);
        this.#due.add(file);
        this.#queuePass();
      }, this.#debounceMs),
    );
  }

  /** Queues a pass unless one is already waiting to start (it will take this file along). */
  #queuePass(): void {
    if (this.#passQueued) return;
    this.#passQueued = true;
    this.#passes = this.#passes.then(() => {
      this.#passQueued = false;
      return this.#pass();
    });
  }

  /** Schedules every spec file, known or new: the links they are read through may point elsewhere now. */
  async #scheduleEverySpecFile(): Promise<void> {
    let listed: string[] = [];
    if (this.kind === "directory") {
      // A directory left without specs is seen by reading the files known so far: they are absent.
      listed = await specFilesIn(this.path).catch(() => []);
    }
    for (const file of new Set([
      ...listed,
      ...this.#states.keys(),
      ...(this.kind === "file" ? [this.path] : []),
    ]))
      this.#schedule(file);
  }

  /**
   * Re-reads every file with a pending event, then emits what changed in force. Files still in their
   * debounce are taken along, so a rename from one file to another is seen as one step, not as a
   * moment where both (or neither) name the service.
   */
  async #pass(): Promise<void> {
    if (this.#closed) return;
    for (const [file, timer] of this.#timers) {
      clearTimeout(timer);
      this.#due.add(file);
    }
    this.#timers.clear();
    const files = [...this.#due].sort();
    this.#due.clear();
    if (files.length === 0) return;
    try {
      const reads = await readEach(files);
      if (this.#closed) return;
      const before = this.#view;
      const outcomes = files.map((file, index) => {
        const read = reads[index];
        return read ? this.#apply(file, read) : "same";
      });
      this.#view = viewOf(this.#states.values());
      this.#announce(before, files, outcomes);
    } catch (error) {
      if (!this.#closed) this.emit("watchError", { error: toError(error) });
    }
  }

  /** Records one read of a file and says what it meant for that file. */
  #apply(file: string, read: SpecFileRead): "same" | "invalid" | "recovered" {
    const state = this.#states.get(file);
    if (read.kind === "absent") {
      this.#states.delete(file);
      return "same";
    }
    if (read.kind === "valid") {
      this.#states.set(file, { file, lastGood: { loaded: read.loaded, content: read.content } });
      return state?.broken ? "recovered" : "same";
    }
    if (state?.broken?.version === read.version) return "same";
    this.#states.set(file, {
      file,
      ...(state?.lastGood ? { lastGood: state.lastGood } : {}),
      broken: { issues: read.issues, version: read.version },
    });
    return "invalid";
  }

  #announce(before: SpecView, files: string[], outcomes: Array<"same" | "invalid" | "recovered">): void {
    const after = this.#view;
    files.forEach((file, index) => {
      if (outcomes[index] !== "invalid") return;
      const state = this.#states.get(file);
      const service = state?.lastGood?.loaded.spec.metadata.name;
      const kept = service !== undefined && after.inForce.get(service)?.file === file;
      this.emit("invalid", {
        file,
        issues: state?.broken?.issues ?? [],
        ...(kept ? { keptService: service } : {}),
      });
    });
    for (const [service, named] of after.duplicates) {
      if (!sameFiles(before.duplicates.get(service), named))
        this.emit("duplicate", { service, files: named });
    }
    files.forEach((file, index) => {
      const service = this.#states.get(file)?.lastGood?.loaded.spec.metadata.name;
      if (outcomes[index] === "recovered" && service !== undefined) this.emit("recovered", { file, service });
    });
    for (const [service, was] of before.inForce) {
      if (after.inForce.has(service)) continue;
      const reason: RemovedReason = after.duplicates.has(service)
        ? "duplicate"
        : this.#states.has(was.file)
          ? "renamed"
          : "deleted";
      this.emit("removed", { service, file: was.file, reason });
    }
    for (const [service, now] of after.inForce) {
      const was = before.inForce.get(service);
      if (was && was.content === now.content && was.file === now.file) continue;
      this.emit("changed", { service, loaded: now.loaded, file: now.file });
    }
    this.emit("settled", { files });
  }
}

/** Reads the files one after another, so that only one file's text is held and parsed at a time. */
async function readEach(files: readonly string[]): Promise<SpecFileRead[]> {
  const reads: SpecFileRead[] = [];
  for (const file of files) reads.push(await readSpecFile(file));
  return reads;
}

function sameFiles(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((file, index) => file === b[index]);
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
