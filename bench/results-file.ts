/** bench/results.json: each benchmark's last figures under its own key, which the README quotes. */
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const RESULTS_JSON = fileURLToPath(new URL("./results.json", import.meta.url));

/** Everything recorded so far (nothing yet: empty). */
export async function readResults(): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(RESULTS_JSON, "utf8")) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
}

/** Replaces one benchmark's figures with `update(what it recorded last)`, keeping every other key. */
export async function updateResults(key: string, update: (previous: unknown) => unknown): Promise<void> {
  const existing = await readResults();
  const results = { ...existing, [key]: update(existing[key]) };
  await writeFile(RESULTS_JSON, `${JSON.stringify(results, null, 2)}\n`);
}
