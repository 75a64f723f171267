/**
 * No Docker engine runs here, so these tests replay each Dockerfile's steps outside Docker
 * (test/support/dockerfile-replay.ts) and check that the result starts and works.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { cachedModuleCount } from "./support/compile-cache.ts";
import { replayDockerfile } from "./support/dockerfile-replay.ts";
import { waitFor } from "./support/wait-for.ts";

const repository = fileURLToPath(new URL("../", import.meta.url));
const workspaces: string[] = [];

async function workspace(): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), "ecs-converge-image-"));
  workspaces.push(path);
  return path;
}

afterAll(async () => {
  await Promise.all(workspaces.map((path) => rm(path, { recursive: true, force: true })));
});

describe("the controller image (Dockerfile)", () => {
  it("installs production dependencies only and runs ecs-converge as its entrypoint", async () => {
    // The npm cache from the checkout's own `npm ci` serves the install; the registry is the fallback.
    const image = replayDockerfile(repository, await workspace(), {
      runEnv: { npm_config_prefer_offline: "true" },
    });

    expect(image.entrypoint).toEqual(["ecs-converge"]);
    expect(image.cmd).toEqual(["run", "-f", "/config/service.yaml"]);
    expect(image.user).toBe("node");
    expect(existsSync(join(image.workdir, "node_modules/zod"))).toBe(true);
    expect(existsSync(join(image.workdir, "node_modules/vitest"))).toBe(false);
    expect(existsSync(join(image.workdir, "controller/cli/program.test.ts"))).toBe(false);

    const [entrypoint = ""] = image.entrypoint;
    const run = (...args: string[]) =>
      execFileSync(entrypoint, args, { env: image.env, cwd: image.workdir, encoding: "utf8" });
    expect(run("--help")).toMatch(/validate \[options\]/);
    expect(run("validate", "-f", join(repository, "service.yaml"))).toMatch(/service "web" is valid/);
    // The build wrote V8's code cache where the image's NODE_COMPILE_CACHE points (see the Dockerfile).
    expect(image.env.NODE_COMPILE_CACHE).toBe(join(image.root, "home/node/.cache/ecs-converge"));
    expect(cachedModuleCount(image.env.NODE_COMPILE_CACHE ?? "")).toBeGreaterThan(100);
  });
});

describe("the sample app image (sample-app/Dockerfile)", () => {
  it("starts and answers its health check", async () => {
    const image = replayDockerfile(join(repository, "sample-app"), await workspace());
    expect(image.user).toBe("node");
    const [command = "", ...args] = image.cmd;
    const child = spawn(command === "node" ? process.execPath : command, args, {
      cwd: image.workdir,
      env: { ...image.env, PORT: "0", HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      let output = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        output += chunk;
      });
      const firstLine = await waitFor("the app's first log line", () =>
        output.includes("\n") ? output.split("\n")[0] : undefined,
      );
      const { port } = JSON.parse(firstLine ?? "{}") as { port: number };
      const health = await waitFor("a healthy answer", async () => {
        const response = await fetch(`http://127.0.0.1:${port}/health`);
        return response.status === 200 ? response : undefined;
      });
      expect(await health.json()).toEqual({ status: "ok" });
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
  });
});
