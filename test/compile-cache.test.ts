/**
 * The executable turns on V8's compile cache before it loads anything else: a second start compiles
 * nothing from source, and the process keeps less memory (see controller/cli/main.ts).
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { cachedModuleCount } from "./support/compile-cache.ts";

const cli = fileURLToPath(new URL("../controller/cli/main.ts", import.meta.url));
const directories: string[] = [];

afterEach(async () => {
  await Promise.all(directories.splice(0).map((path) => rm(path, { recursive: true, force: true })));
});

/** Runs `ecs-converge --version` with `temporary` as the OS's temporary directory. */
async function versionWithTemporaryDirectory(extraEnv: NodeJS.ProcessEnv = {}) {
  const temporary = await mkdtemp(join(tmpdir(), "ecs-converge-compile-cache-"));
  directories.push(temporary);
  const { NODE_COMPILE_CACHE: _ignored, ...env } = process.env;
  const output = execFileSync(process.execPath, [cli, "--version"], {
    env: { ...env, TMPDIR: temporary, ...extraEnv },
    encoding: "utf8",
  });
  return { output, temporary };
}

describe("the compile cache", () => {
  it("is written to the OS's temporary directory, with the whole program in it", async () => {
    const { output, temporary } = await versionWithTemporaryDirectory();
    expect(output.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    // The AWS SDK clients, the CLI and the controller: far more than the executable's own file.
    expect(cachedModuleCount(join(temporary, "node-compile-cache"))).toBeGreaterThan(100);
  });

  it("stays off when NODE_DISABLE_COMPILE_CACHE is set", async () => {
    const { temporary } = await versionWithTemporaryDirectory({ NODE_DISABLE_COMPILE_CACHE: "1" });
    expect(cachedModuleCount(join(temporary, "node-compile-cache"))).toBe(0);
  });
});
