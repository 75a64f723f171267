/**
 * How long the worst spec files that fit under the size limit take to load, and how long they hold
 * the event loop while the daemon's watcher reads them. Figures vary with the machine; they are
 * printed, never asserted.
 *
 *   node bench/hostile-specs.ts
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SpecSources } from "../controller/daemon/spec-sources.ts";
import { loadSpecFile, MAX_SPEC_FILE_BYTES, SpecError } from "../specs/index.ts";
import { specYaml } from "../specs/test-builders.ts";

/** Repeats `unit` (numbered by `i`) as often as fits under the size limit once wrapped. */
function fill(prefix: string, unit: (i: number) => string, suffix = ""): string {
  let text = prefix;
  for (let i = 0; ; i++) {
    const next = unit(i);
    if (Buffer.byteLength(text + next + suffix) > MAX_SPEC_FILE_BYTES) return text + suffix;
    text += next;
  }
}

const TICK_MS = 5;

const environmentHeader = specYaml({ spec: { task: { container: { environment: { FIRST: "1" } } } } });

const cases: Array<[string, string]> = [
  ["environment variables (block map)", fill(environmentHeader, (i) => `        V${i}: "x"\n`)],
  ["keys of one flow map", fill("{", (i) => `k${i}: 1, `, "}")],
  ["unknown fields (one problem each)", fill(`${specYaml()}`, (i) => `f${i}: 1\n`)],
  ["duplicate keys", fill("a: 1\n", () => "a: 1\n")],
  ["nesting at the limit, repeated", fill("- ", () => `${"[".repeat(63)}${"]".repeat(63)}\n- `, "x")],
  [
    "nesting past the limit",
    `${"[".repeat(MAX_SPEC_FILE_BYTES / 2 - 1)}${"]".repeat(MAX_SPEC_FILE_BYTES / 2 - 1)}`,
  ],
  ["one long scalar", `apiVersion: ${"x".repeat(MAX_SPEC_FILE_BYTES - 20)}\n`],
  ["syntax errors on every line", fill("", () => "]: [\n")],
];

const directory = await mkdtemp(join(tmpdir(), "ecs-converge-hostile-bench-"));
try {
  console.log(`Loading files of up to ${MAX_SPEC_FILE_BYTES / 1024} KiB (median of 3):`);
  for (const [index, [name, text]] of cases.entries()) {
    const file = join(directory, `case-${index}.yaml`);
    await writeFile(file, text);
    const times: number[] = [];
    let outcome = "";
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      try {
        await loadSpecFile(file);
        outcome = "valid";
      } catch (error) {
        if (!(error instanceof SpecError)) throw error;
        outcome = `${error.count} problem(s), ${error.issues.length} listed`;
      }
      times.push(performance.now() - started);
    }
    const median = [...times].sort((a, b) => a - b)[1] ?? 0;
    console.log(
      `  ${name.padEnd(36)} ${(Buffer.byteLength(text) / 1024).toFixed(0).padStart(4)} KiB ${median.toFixed(0).padStart(5)} ms  ${outcome}`,
    );
  }

  // The daemon's view: every case at once in a watched directory; how long is the event loop held?
  let longestStallMs = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    longestStallMs = Math.max(longestStallMs, now - last - TICK_MS);
    last = now;
  }, TICK_MS);
  const sources = await SpecSources.open(directory, { watch: false });
  clearInterval(ticker);
  console.log(
    `The daemon reading all ${cases.length} files: longest event-loop stall ${longestStallMs.toFixed(0)} ms (${sources.problems().length} files with problems)`,
  );
  await sources.close();
} finally {
  await rm(directory, { recursive: true, force: true });
}
