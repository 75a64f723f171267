/**
 * `ecs-converge emulator` as a process of its own, as a user starts it: for tests and benches that
 * need the emulator outside their process (its own CPU and memory, a SIGKILL of it, its printed lines).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { killChildren } from "./kill-children.ts";
import { waitFor } from "./wait-for.ts";

const CLI = fileURLToPath(new URL("../../controller/cli/main.ts", import.meta.url));
// Generous: a loaded machine starting Node and the SDK cold takes seconds.
const START_DEADLINE_MS = 60_000;

export interface EmulatorProcess {
  /** Its API endpoint, as it printed it. */
  url: string;
  process: ChildProcess;
  /** What it has printed on stdout so far. */
  output(): string;
}

const running = new Set<ChildProcess>();

/** Kills every emulator process started here that is still running (a bench or test stopped early). */
export const killEmulatorProcesses = (): Promise<void> => killChildren(running);

/**
 * Starts `ecs-converge emulator <args>` and waits for it to print its endpoint. The caller stops it
 * (SIGTERM, or SIGKILL in its cleanup). `stderr`: "pipe" to leave it unread, "inherit" to show it.
 */
export async function startEmulatorProcess(
  args: string[],
  stderr: "pipe" | "inherit" = "pipe",
): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [CLI, "emulator", ...args], { stdio: ["ignore", "pipe", stderr] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  try {
    const url = await waitFor(
      "the emulator's endpoint line",
      () => /export AWS_ENDPOINT_URL=(\S+)/.exec(output)?.[1],
      START_DEADLINE_MS,
    );
    return { url, process: child, output: () => output };
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
}
