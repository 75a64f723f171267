import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./program.ts";
import { captureStreams } from "./test-streams.ts";

const COMMANDS = [
  "validate",
  "run",
  "plan",
  "apply",
  "destroy",
  "status",
  "iam-policy",
  "schema",
  "emulator",
  "completion",
];

async function run(...args: string[]) {
  const streams = captureStreams();
  const code = await runCli(args, streams);
  return { code, stdout: streams.stdoutText(), stderr: streams.stderrText() };
}

const hasShell = (shell: string) => spawnSync(shell, ["-c", "exit 0"]).status === 0;

let directory: string;
let bashScript: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "ecs-converge-completion-"));
  await writeFile(join(directory, "service.yaml"), "");
  bashScript = join(directory, "completion.bash");
  await writeFile(bashScript, (await run("completion", "bash")).stdout);
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe("ecs-converge completion", () => {
  it.each(["bash", "zsh", "fish"])(
    "prints a %s script naming every command and file completion for -f",
    async (shell) => {
      const { code, stdout, stderr } = await run("completion", shell);
      expect(code).toBe(0);
      expect(stderr).toBe("");
      for (const command of COMMANDS) expect(stdout).toContain(command);
      expect(stdout).toContain("detailed-exitcode");
      expect(stdout).toMatch(
        shell === "bash" ? /compgen -f/ : shell === "zsh" ? /:file:_files/ : / -l file -r -F /,
      );
    },
  );

  it("prints a bash script that bash reads without a syntax error", () => {
    expect(spawnSync("bash", ["-n", bashScript], { encoding: "utf8" }).stderr).toBe("");
    expect(spawnSync("bash", ["-n", bashScript]).status).toBe(0);
  });

  it.skipIf(!hasShell("zsh"))("prints a zsh script that zsh reads without a syntax error", async () => {
    const file = join(directory, "completion.zsh");
    await writeFile(file, (await run("completion", "zsh")).stdout);
    expect(spawnSync("zsh", ["-n", file]).status).toBe(0);
  });

  it.skipIf(!hasShell("fish"))("prints a fish script that fish reads without a syntax error", async () => {
    const file = join(directory, "completion.fish");
    await writeFile(file, (await run("completion", "fish")).stdout);
    expect(spawnSync("fish", ["-n", file]).status).toBe(0);
  });

  it.each([
    { words: ["pl"], expected: ["plan"], reason: "a command" },
    { words: ["plan", "--de"], expected: ["--detailed-exitcode"], reason: "an option of that command" },
    { words: ["validate", "-f", "serv"], expected: ["service.yaml"], reason: "a file name after -f" },
    { words: ["apply", "--timeout", ""], expected: [], reason: "nothing for a free-text value" },
    { words: ["completion", "z"], expected: ["zsh"], reason: "the shells of completion" },
  ])("bash completes $reason", ({ words, expected }) => {
    const line = ["ecs-converge", ...words];
    const output = execFileSync(
      "bash",
      [
        "-c",
        `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _ecs_converge; printf '%s\\n' "\${COMPREPLY[@]}"`,
        "complete",
        bashScript,
        ...line,
      ],
      { cwd: directory, encoding: "utf8" },
    );
    expect(output.split("\n").filter(Boolean)).toEqual(expected);
  });

  it("refuses a shell it has no script for, naming the ones it has", async () => {
    const { code, stderr } = await run("completion", "powershell");
    expect(code).toBe(1);
    expect(stderr).toMatch(/Allowed choices are bash, zsh, fish/);
  });
});
