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

describe("the README's commands", () => {
  it("open the README", () => {
    const firstBlock = readme.split("```")[1] ?? "";
    expect(firstBlock).toContain("npm ci && npm start");
    expect(firstBlock).toContain("npm ci && npm test");
  });

  it("npm start converges the sample service on the built-in emulator and stops cleanly on SIGTERM", async () => {
    // The script's command as npm runs it, with Node 24; the endpoints move to a free port so a busy 9090 cannot fail the test.
    const [program, ...args] = (packageJson.scripts.start ?? "").split(" ");
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

  it("npx ecs-converge runs the CLI in the checkout with no build step", () => {
    const output = execFileSync("npx", ["--no-install", "ecs-converge", "--help"], {
      cwd: repository,
      encoding: "utf8",
    });
    expect(output).toMatch(/Usage: ecs-converge/);
  });
});
