import {
  mkdir,
  mkdtemp,
  open,
  readFile,
  rename,
  rm,
  symlink,
  unlink,
  utimes,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SpecError } from "../../specs/index.ts";
import { specYaml } from "../../specs/test-builders.ts";
import { waitFor } from "../../test/support/wait-for.ts";
import { type SpecSourceEvents, SpecSources, type SpecSourcesOptions } from "./spec-sources.ts";

type EventName = keyof SpecSourceEvents;
type Recorded = { [Name in EventName]: { name: Name } & SpecSourceEvents[Name][0] }[EventName];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A temp directory holding `files` (name → text), removed after the test. */
async function specDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "spec-sources-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

/** Opens the sources with a short debounce and records every event they emit. */
async function watched(path: string, options: SpecSourcesOptions = {}) {
  const sources = await SpecSources.open(path, { debounceMs: 50, ...options });
  cleanups.push(() => sources.close());
  const events: Recorded[] = [];
  const names: EventName[] = [
    "changed",
    "removed",
    "invalid",
    "recovered",
    "duplicate",
    "settled",
    "watchError",
  ];
  for (const name of names) {
    sources.on(name, (payload: object) => events.push({ name, ...payload } as Recorded));
  }
  /** The events of one kind recorded since `from` (an index into the log). */
  const of = <Name extends EventName>(name: Name, from = 0) =>
    events.slice(from).filter((event): event is Extract<Recorded, { name: Name }> => event.name === name);
  /** Waits until a pass that re-read `file` has ended after `from`. */
  const settledOn = (file: string, from: number) =>
    waitFor(`a pass over ${file}`, () => of("settled", from).find((event) => event.files.includes(file)));
  return { sources, events, of, settledOn };
}

function spec(service: string, tag = "1.0.0"): string {
  return specYaml({
    metadata: { name: service },
    spec: { task: { container: { image: `registry.example.com/${service}:${tag}` } } },
  });
}

/** A spec whose one problem is a misspelled field, `regoin`, on line `MISSPELLED_LINE`. */
function misspelled(service: string): string {
  return spec(service).replace("region:", "regoin:");
}
const MISSPELLED_LINE =
  spec("web")
    .split("\n")
    .findIndex((line) => line.includes("region:")) + 1;

function imageOf(sources: SpecSources, service: string): string | undefined {
  return sources.services().get(service)?.spec.spec.task.container.image;
}

/** The way many editors save: write a temp file beside it, then rename it over the original. */
async function saveByRename(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp-save`, text);
  await rename(`${file}.tmp-save`, file);
}

describe("SpecSources: the initial load", () => {
  it("loads every spec of a directory, reports the broken one, skips what is not a spec", async () => {
    const dir = await specDir({
      "web.yaml": spec("web"),
      "api.yml": spec("api"),
      "broken.yaml": misspelled("worker"),
      ".hidden.yaml": spec("hidden"),
      ".#web.yaml": spec("lock"),
      "web.yaml~": spec("backup"),
      "web.yaml.swp": spec("swap"),
      "notes.txt": spec("notes"),
    });
    await mkdir(join(dir, "nested"));
    await writeFile(join(dir, "nested", "deep.yaml"), spec("deep"));
    const sources = await SpecSources.open(dir, { watch: false });

    expect([...sources.services().keys()].sort()).toEqual(["api", "web"]);
    expect(sources.fileOf("web")).toBe(join(dir, "web.yaml"));
    expect(sources.fileOf("worker")).toBeUndefined();
    const problems = sources.problems();
    expect(problems.map((problem) => problem.file)).toEqual([join(dir, "broken.yaml")]);
    expect(problems[0]?.issues[0]).toMatchObject({ line: MISSPELLED_LINE, path: "spec.regoin" });
    await sources.close();
  });

  it("refuses a missing path and a directory without specs, as the loader does", async () => {
    const dir = await specDir({ "README.md": "no specs here" });
    await expect(SpecSources.open(join(dir, "missing.yaml"))).rejects.toBeInstanceOf(SpecError);
    await expect(SpecSources.open(dir)).rejects.toThrow(/holds no .yaml or .yml spec files/);
  });

  it("puts neither of two files naming the same service in force", async () => {
    const dir = await specDir({ "a.yaml": spec("web"), "b.yaml": spec("web"), "c.yaml": spec("api") });
    const sources = await SpecSources.open(dir, { watch: false });

    expect([...sources.services().keys()]).toEqual(["api"]);
    expect(sources.problems()).toMatchObject([
      {
        file: join(dir, "a.yaml"),
        issues: [{ path: "metadata.name", message: expect.stringMatching(/b\.yaml/) }],
      },
      {
        file: join(dir, "b.yaml"),
        issues: [{ path: "metadata.name", message: expect.stringMatching(/a\.yaml/) }],
      },
    ]);
    await sources.close();
  });
});

describe("SpecSources: watching a directory", () => {
  it("sees an edit of a field", async () => {
    const dir = await specDir({ "web.yaml": spec("web"), "api.yaml": spec("api") });
    const { sources, of } = await watched(dir);

    await writeFile(join(dir, "web.yaml"), spec("web", "2.0.0"));

    await waitFor("the new image in force", () => imageOf(sources, "web")?.endsWith(":2.0.0") || undefined);
    expect(of("changed")).toMatchObject([
      { service: "web", file: join(dir, "web.yaml"), loaded: { spec: { metadata: { name: "web" } } } },
    ]);
  });

  it("sees a save that writes a temp file and renames it over the spec", async () => {
    const dir = await specDir({ "web.yaml": spec("web") });
    const { sources, of } = await watched(dir);

    await saveByRename(join(dir, "web.yaml"), spec("web", "2.0.0"));

    await waitFor("the new image in force", () => imageOf(sources, "web")?.endsWith(":2.0.0") || undefined);
    expect(of("removed")).toEqual([]);
    expect(sources.fileOf("web")).toBe(join(dir, "web.yaml"));
  });

  it("sees a save that truncates the file and writes it in pieces", async () => {
    const dir = await specDir({ "web.yaml": spec("web") });
    const { sources } = await watched(dir);
    const text = spec("web", "2.0.0");

    const handle = await open(join(dir, "web.yaml"), "w");
    await handle.write(text.slice(0, 40));
    await handle.write(text.slice(40));
    await handle.close();

    await waitFor("the new image in force", () => imageOf(sources, "web")?.endsWith(":2.0.0") || undefined);
  });

  it("keeps the last good spec in force through a broken edit, reports each broken version once", async () => {
    const dir = await specDir({ "web.yaml": spec("web") });
    const file = join(dir, "web.yaml");
    const { sources, of, settledOn, events } = await watched(dir);

    await writeFile(file, misspelled("web"));
    const [invalid] = await waitFor("the invalid edit reported", () =>
      of("invalid").length > 0 ? of("invalid") : undefined,
    );
    expect(invalid).toMatchObject({
      file,
      keptService: "web",
      issues: [{ line: MISSPELLED_LINE, path: "spec.regoin" }],
    });
    expect(imageOf(sources, "web")).toBe("registry.example.com/web:1.0.0");
    expect(sources.problems()).toMatchObject([{ file, issues: [{ path: "spec.regoin" }] }]);

    // The same broken text saved again is not news.
    const beforeResave = events.length;
    await writeFile(file, misspelled("web"));
    await settledOn(file, beforeResave);
    expect(of("invalid")).toHaveLength(1);

    // Another broken text is.
    await writeFile(file, misspelled("web").replace("regoin:", "regionn:"));
    await waitFor("the second broken version reported", () =>
      of("invalid").length === 2 ? true : undefined,
    );

    const beforeFix = events.length;
    await writeFile(file, spec("web", "2.0.0"));
    await waitFor("the fix in force", () => imageOf(sources, "web")?.endsWith(":2.0.0") || undefined);
    expect(of("recovered", beforeFix)).toMatchObject([{ file, service: "web" }]);
    expect(of("changed", beforeFix)).toMatchObject([{ service: "web", file }]);
    expect(of("changed", 0)).toHaveLength(1);
    expect(sources.problems()).toEqual([]);
  });

  it("has nothing in force for a file that never was valid, until it is", async () => {
    const dir = await specDir({ "api.yaml": spec("api") });
    const file = join(dir, "web.yaml");
    const { sources, of } = await watched(dir);

    await writeFile(file, misspelled("web"));
    await waitFor("the invalid file reported", () => of("invalid")[0]);
    expect(of("invalid")[0]?.keptService).toBeUndefined();
    expect([...sources.services().keys()]).toEqual(["api"]);

    await writeFile(file, spec("web"));
    await waitFor("the new service in force", () => sources.services().get("web"));
    expect(of("changed")).toMatchObject([{ service: "web", file }]);
  });

  it("emits nothing for a touch or a save without changes", async () => {
    const dir = await specDir({ "web.yaml": spec("web"), "api.yaml": spec("api") });
    const file = join(dir, "web.yaml");
    const { settledOn, events } = await watched(dir);

    const beforeTouch = events.length;
    await utimes(file, new Date(), new Date());
    await settledOn(file, beforeTouch);

    const beforeSave = events.length;
    await writeFile(file, await readFile(file, "utf8"));
    await settledOn(file, beforeSave);

    // Same content, keys in another order and a comment: still the same spec.
    const beforeReformat = events.length;
    await writeFile(file, `# reformatted\nkind: Service\n${spec("web").replace("kind: Service\n", "")}`);
    await settledOn(file, beforeReformat);

    expect(events.filter((event) => event.name !== "settled")).toEqual([]);
  });

  it("stops a service whose file is deleted or renames its service", async () => {
    const dir = await specDir({ "web.yaml": spec("web"), "api.yaml": spec("api") });
    const { sources, of } = await watched(dir);

    await unlink(join(dir, "web.yaml"));
    await waitFor("web no longer in force", () => (sources.services().has("web") ? undefined : true));
    expect(of("removed")).toEqual([
      { name: "removed", service: "web", file: join(dir, "web.yaml"), reason: "deleted" },
    ]);

    await writeFile(join(dir, "api.yaml"), spec("backend"));
    await waitFor("backend in force", () => sources.services().get("backend"));
    expect(of("removed")[1]).toMatchObject({
      service: "api",
      file: join(dir, "api.yaml"),
      reason: "renamed",
    });
    expect([...sources.services().keys()]).toEqual(["backend"]);
  });

  it("follows a spec moved to another file name", async () => {
    const dir = await specDir({ "web.yaml": spec("web") });
    const { sources } = await watched(dir, { debounceMs: 200 });

    await rename(join(dir, "web.yaml"), join(dir, "frontend.yaml"));

    await waitFor("web in force from its new file", () =>
      sources.fileOf("web") === join(dir, "frontend.yaml") ? true : undefined,
    );
    expect(sources.problems()).toEqual([]);
  });

  it("reports two files naming the same service once, and restores the other when one goes", async () => {
    const dir = await specDir({ "a.yaml": spec("web"), "b.yaml": spec("api") });
    const { sources, of, settledOn, events } = await watched(dir);

    await writeFile(join(dir, "c.yaml"), spec("web", "2.0.0"));
    await waitFor("the duplicate reported", () => of("duplicate")[0]);
    expect(of("duplicate")).toEqual([
      { name: "duplicate", service: "web", files: [join(dir, "a.yaml"), join(dir, "c.yaml")] },
    ]);
    expect(of("removed")).toMatchObject([{ service: "web", reason: "duplicate" }]);
    expect([...sources.services().keys()]).toEqual(["api"]);
    expect(sources.problems().map((problem) => problem.file)).toEqual([
      join(dir, "a.yaml"),
      join(dir, "c.yaml"),
    ]);

    // Unrelated passes, and edits of the duplicates that keep the same name, do not repeat it.
    const beforeEdits = events.length;
    await writeFile(join(dir, "b.yaml"), spec("api", "2.0.0"));
    await writeFile(join(dir, "c.yaml"), spec("web", "3.0.0"));
    await settledOn(join(dir, "b.yaml"), beforeEdits);
    await settledOn(join(dir, "c.yaml"), beforeEdits);
    expect(of("duplicate")).toHaveLength(1);
    expect(sources.services().has("web")).toBe(false);

    const beforeDelete = events.length;
    await unlink(join(dir, "c.yaml"));
    await waitFor("web back in force", () => sources.services().get("web"));
    expect(of("changed", beforeDelete)).toMatchObject([{ service: "web", file: join(dir, "a.yaml") }]);
    expect(imageOf(sources, "web")).toBe("registry.example.com/web:1.0.0");
    expect(sources.problems()).toEqual([]);
  });

  it("emits nothing once closed", async () => {
    const dir = await specDir({ "web.yaml": spec("web") });
    const closed = await watched(dir);
    const witness = await watched(dir);
    await closed.sources.close();
    await closed.sources.close();

    await writeFile(join(dir, "web.yaml"), spec("web", "2.0.0"));

    await waitFor("the witness sees the edit", () => witness.of("changed")[0]);
    expect(closed.events).toEqual([]);
    expect(imageOf(closed.sources, "web")).toBe("registry.example.com/web:1.0.0");
  });
});

describe("SpecSources: watching a single file", () => {
  it("follows rename saves, ignores its neighbours, and sees it deleted and recreated", async () => {
    const dir = await specDir({ "service.yaml": spec("web"), "other.yaml": spec("api") });
    const file = join(dir, "service.yaml");
    const { sources, of, events } = await watched(file);
    expect([...sources.services().keys()]).toEqual(["web"]);

    await writeFile(join(dir, "other.yaml"), spec("api", "2.0.0"));
    await saveByRename(file, spec("web", "2.0.0"));
    await waitFor("the new image in force", () => imageOf(sources, "web")?.endsWith(":2.0.0") || undefined);
    await saveByRename(file, spec("web", "3.0.0"));
    await waitFor("the next image in force", () => imageOf(sources, "web")?.endsWith(":3.0.0") || undefined);
    expect(of("settled").flatMap((event) => event.files)).not.toContain(join(dir, "other.yaml"));
    expect([...sources.services().keys()]).toEqual(["web"]);

    await unlink(file);
    await waitFor("web no longer in force", () => (sources.services().has("web") ? undefined : true));
    expect(of("removed")).toMatchObject([{ service: "web", file, reason: "deleted" }]);

    const beforeRecreate = events.length;
    await writeFile(file, spec("web", "4.0.0"));
    await waitFor("web in force again", () => imageOf(sources, "web")?.endsWith(":4.0.0") || undefined);
    expect(of("changed", beforeRecreate)).toMatchObject([{ service: "web", file }]);
  });
});

describe("SpecSources: a directory mounted from a Kubernetes ConfigMap", () => {
  /**
   * The kubelet's layout: the files live in a timestamped directory, `..data` links to it, and each
   * key is a link through `..data`. An update writes a new timestamped directory, then renames a new
   * `..data` link over the old one (one atomic step) and removes the old directory.
   */
  async function configMapDir(files: Record<string, string>): Promise<string> {
    const dir = await specDir({});
    await writeConfigMapVersion(dir, "..2026_11_30_10_00_00.000000001", files);
    for (const name of Object.keys(files)) await symlink(join("..data", name), join(dir, name));
    return dir;
  }
  async function writeConfigMapVersion(dir: string, version: string, files: Record<string, string>) {
    await mkdir(join(dir, version));
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, version, name), text);
    await symlink(version, join(dir, "..data_tmp"));
    await rename(join(dir, "..data_tmp"), join(dir, "..data"));
  }

  it("loads the specs through the links and sees an update swap ..data", async () => {
    const dir = await configMapDir({ "web.yaml": spec("web"), "api.yaml": spec("api") });
    const { sources, of } = await watched(dir);
    expect([...sources.services().keys()].sort()).toEqual(["api", "web"]);
    expect(sources.fileOf("web")).toBe(join(dir, "web.yaml"));

    const version = "..2026_11_30_10_05_00.000000002";
    await writeConfigMapVersion(dir, version, { "web.yaml": spec("web", "2.0.0"), "api.yaml": spec("api") });
    await rm(join(dir, "..2026_11_30_10_00_00.000000001"), { recursive: true });

    await waitFor("the new image in force", () => imageOf(sources, "web")?.endsWith(":2.0.0") || undefined);
    expect(of("changed")).toMatchObject([{ service: "web", file: join(dir, "web.yaml") }]);
    expect(of("removed")).toEqual([]);
    expect(sources.problems()).toEqual([]);
  });

  it("watches one file of a ConfigMap as well", async () => {
    const dir = await configMapDir({ "service.yaml": spec("web") });
    const { sources } = await watched(join(dir, "service.yaml"));
    expect([...sources.services().keys()]).toEqual(["web"]);

    await writeConfigMapVersion(dir, "..2026_11_30_10_05_00.000000002", {
      "service.yaml": spec("web", "2.0.0"),
    });

    await waitFor("the new image in force", () => imageOf(sources, "web")?.endsWith(":2.0.0") || undefined);
  });
});

describe("SpecSources: hostile files", () => {
  it("keeps the last good spec in force through an edit over the size limit, and says so", async () => {
    const dir = await specDir({ "web.yaml": spec("web") });
    const file = join(dir, "web.yaml");
    const { sources, of } = await watched(dir);

    await writeFile(file, `${spec("web", "2.0.0")}# ${"x".repeat(300 * 1024)}\n`);

    const invalid = await waitFor("the edit refused", () => of("invalid")[0]);
    expect(invalid).toMatchObject({
      file,
      keptService: "web",
      issues: [{ message: expect.stringMatching(/^is 300\.\d KiB .*at most 256 KiB/) }],
    });
    expect(imageOf(sources, "web")).toBe("registry.example.com/web:1.0.0");
  });

  it("takes a burst of edits to many files in a few passes, ending with every edit in force", async () => {
    const names = Array.from({ length: 40 }, (_, index) => `svc-${index}`);
    const dir = await specDir(Object.fromEntries(names.map((name) => [`${name}.yaml`, spec(name)])));
    const { sources, of } = await watched(dir, { debounceMs: 0 });

    for (const name of names) await writeFile(join(dir, `${name}.yaml`), spec(name, "2.0.0"));

    await waitFor(
      "every edit in force",
      () => names.every((name) => imageOf(sources, name)?.endsWith(":2.0.0")) || undefined,
    );
    expect(
      of("changed")
        .map((event) => event.service)
        .sort(),
    ).toEqual([...names].sort());
  });
});
