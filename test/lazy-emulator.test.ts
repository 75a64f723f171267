/**
 * A daemon or a CLI command against AWS never loads the built-in emulator (150 modules: its parsed code
 * would stay in every daemon's memory for nothing); `emulator` and `run --emulator` load it when asked.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const TRACE = fileURLToPath(new URL("./support/trace-module-loads.ts", import.meta.url));
const PROGRAM = fileURLToPath(new URL("../controller/cli/program.ts", import.meta.url));
const EMULATOR_COMMAND = fileURLToPath(new URL("../controller/cli/commands/emulator.ts", import.meta.url));

/** The project's emulator modules a process loads while importing `file`. */
function emulatorModulesLoadedBy(file: string): Promise<string[]> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ["--import", TRACE, "--input-type=module", "-e", `await import(${JSON.stringify(file)});`],
      { timeout: 60_000 },
      (error, _stdout, stderr) => {
        if (error) return reject(error);
        resolve(
          stderr
            .split("\n")
            .filter((line) => line.startsWith("loaded ") && line.includes("/emulator/"))
            .map((line) => line.slice(line.indexOf("/emulator/"))),
        );
      },
    ),
  );
}

describe("the emulator's code", () => {
  it("is not loaded by the CLI's commands until one asks for the emulator", async () => {
    // Parsing --run-image/--images needs only the image-command parser.
    expect(await emulatorModulesLoadedBy(PROGRAM)).toEqual([
      "/emulator/services/ecs/runtime/image-commands.ts",
    ]);
  });

  it("is loaded by the emulator command", async () => {
    const loaded = await emulatorModulesLoadedBy(EMULATOR_COMMAND);
    expect(loaded).toContain("/emulator/server.ts");
  });
});
