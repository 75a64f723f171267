import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readSpecFile, specFingerprint } from "./spec-files.ts";

const dir = await mkdtemp(join(tmpdir(), "spec-files-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

const SAMPLE = new URL("../../service.yaml", import.meta.url);

describe("a spec's fingerprint", () => {
  it("is the same whatever order the maps were written in, and differs when a value does", () => {
    const spec = { a: 1, b: { c: [1, 2], d: "x" } };
    expect(specFingerprint({ b: { d: "x", c: [1, 2] }, a: 1 })).toBe(specFingerprint(spec));
    expect(specFingerprint({ a: 1, b: { c: [2, 1], d: "x" } })).not.toBe(specFingerprint(spec));
    expect(specFingerprint({ a: 1, b: { c: [1, 2], d: "y" } })).not.toBe(specFingerprint(spec));
  });

  it("identifies a file's validated spec by a hash, not by a copy of it", async () => {
    const text = await readFile(SAMPLE, "utf8");
    const file = join(dir, "service.yaml");
    await writeFile(file, text);
    const first = await readSpecFile(file);
    // The same spec with a comment added: a save without changes.
    await writeFile(file, `# saved again\n${text}`);
    const again = await readSpecFile(file);
    expect(first.kind).toBe("valid");
    expect(again.kind).toBe("valid");
    if (first.kind !== "valid" || again.kind !== "valid") return;
    expect(again.content).toBe(first.content);
    expect(first.content).toMatch(/^[0-9a-f]{64}$/);
    await writeFile(
      file,
      text.replace(/cpu: (\d+)/, (_m, cpu: string) => `cpu: ${Number(cpu) * 2}`),
    );
    const changed = await readSpecFile(file);
    expect(changed.kind === "valid" && changed.content).not.toBe(first.content);
  });
});
