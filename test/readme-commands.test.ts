/** The README's first lines promise two commands; this keeps the `npm start` half of that promise. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

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

  it("npm start runs and succeeds on the repository's service.yaml", () => {
    // The script as npm would run it: through a shell, from the repository root, with Node 24 first on PATH.
    const output = execFileSync("sh", ["-c", packageJson.scripts.start ?? "false"], {
      cwd: repository,
      encoding: "utf8",
    });
    expect(output).toMatch(/service "web" is valid/);
  });

  it("npx ecs-converge runs the CLI in the checkout with no build step", () => {
    const output = execFileSync("npx", ["--no-install", "ecs-converge", "--help"], {
      cwd: repository,
      encoding: "utf8",
    });
    expect(output).toMatch(/Usage: ecs-converge/);
  });
});
