/** The README's first lines promise two commands; this keeps the `npm start` half of that promise. */
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { waitFor } from "./support/wait-for.ts";

const repository = fileURLToPath(new URL("../", import.meta.url));
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const packageJson = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  scripts: Record<string, string>;
};

/** Whether any process of the group still exists (signal 0 checks without sending anything). */
function processGroupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

describe("the README's commands", () => {
  it("open the README", () => {
    const firstBlock = readme.split("```")[1] ?? "";
    expect(firstBlock).toContain("npm ci && npm start");
    expect(firstBlock).toContain("npm ci && npm test");
  });

  it("npm start converges the sample service on the built-in emulator and stops cleanly on SIGTERM", async () => {
    // The script's command as npm runs it, with Node 24; the endpoints move to a free port so a busy 9090 cannot fail the test.
    const [program, ...args] = (packageJson.scripts.start ?? "").replace(/^exec /, "").split(" ");
    expect(program).toBe("node");
    const child = spawn(process.execPath, [...args, "--listen", "127.0.0.1:0"], {
      cwd: repository,
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let output = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        output += chunk;
      });
      await waitFor(
        "the sample service's rollout to complete",
        () => (output.includes('"msg":"rollout completed"') ? true : undefined),
        60_000,
      );
      const lines = output
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as { msg: string; resource?: string });
      expect(lines.some((line) => line.msg === "created" && line.resource === "Service")).toBe(true);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    }
  });

  it("npm start hands the process over: SIGTERM to npm stops the daemon and leaves no process behind", async () => {
    // npm sends SIGTERM on to its child, the shell running the script, which does not pass it on to a
    // command it waits for: the script must exec the daemon. Run in a process group of its own, so that
    // whatever npm started can be found afterwards.
    const npm = spawn("npm", ["start", "--silent", "--", "--listen", "127.0.0.1:0"], {
      cwd: repository,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const group = npm.pid as number;
    const exited = new Promise<number | null>((resolve) => npm.once("exit", resolve));
    try {
      let output = "";
      npm.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        output += chunk;
      });
      const statusUrl = await waitFor(
        "the daemon to listen",
        () => /"status":"(http:[^"]+)"/.exec(output)?.[1],
        60_000,
      );
      expect((await fetch(statusUrl)).status).toBe(200);

      npm.kill("SIGTERM");
      const code = await exited;
      // Nothing npm started survives it: no process is left in the group, and the endpoints are closed.
      await waitFor("every process npm started to exit", () => (processGroupAlive(group) ? undefined : true));
      await expect(fetch(statusUrl)).rejects.toThrow();
      expect(code).toBe(0);
    } finally {
      if (processGroupAlive(group)) process.kill(-group, "SIGKILL");
    }
  });

  it("npx ecs-converge runs the CLI in the checkout with no build step", () => {
    const output = execFileSync("npx", ["--no-install", "ecs-converge", "--help"], {
      cwd: repository,
      encoding: "utf8",
    });
    expect(output).toMatch(/Usage: ecs-converge/);
  });
});
