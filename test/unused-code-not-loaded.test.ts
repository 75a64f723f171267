/**
 * Code a daemon does not use is not loaded, since its parsed form would stay in every daemon's memory
 * for nothing: a daemon or a CLI command against AWS never loads the built-in emulator (150 modules;
 * `emulator` and `run --emulator` load it when asked), and JSON logging never loads pino-pretty.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const TRACE = fileURLToPath(new URL("./support/trace-module-loads.ts", import.meta.url));
const PROGRAM = fileURLToPath(new URL("../controller/cli/program.ts", import.meta.url));
const LOGGER = fileURLToPath(new URL("../controller/daemon/logger.ts", import.meta.url));
const EMULATOR_COMMAND = fileURLToPath(new URL("../controller/cli/commands/emulator.ts", import.meta.url));

/** The modules a process loads while running `script` (an ES module), as paths from `under`. */
function modulesLoadedBy(script: string, under: string): Promise<string[]> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ["--import", TRACE, "--input-type=module", "-e", script],
      { timeout: 60_000 },
      (error, _stdout, stderr) => {
        if (error) return reject(error);
        resolve(
          stderr
            .split("\n")
            .filter((line) => line.startsWith("loaded ") && line.includes(under))
            .map((line) => line.slice(line.indexOf(under))),
        );
      },
    ),
  );
}

/** The project's emulator modules a process loads while importing `file`. */
const emulatorModulesLoadedBy = (file: string) =>
  modulesLoadedBy(`await import(${JSON.stringify(file)});`, "/emulator/");

/** The pino-pretty modules loaded by a logger of `format` that logs one line. */
const prettyModulesLoadedFor = (format: string) =>
  modulesLoadedBy(
    `const { createLogger } = await import(${JSON.stringify(LOGGER)});
     createLogger({ level: "info", format: ${JSON.stringify(format)}, destination: process.stdout }).info("a line");`,
    "/pino-pretty/",
  );

describe("code a daemon does not use", () => {
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

  it("leaves pino-pretty out of a daemon that logs JSON", async () => {
    expect(await prettyModulesLoadedFor("json")).toEqual([]);
    expect((await prettyModulesLoadedFor("pretty")).length).toBeGreaterThan(0);
  });
});
