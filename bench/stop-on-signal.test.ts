/**
 * A bench sent SIGTERM on its own (as a supervisor or `timeout` sends it, not to its whole process
 * group) stops the emulator and the daemon it started before it exits: none is left running.
 */
import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../test/support/wait-for.ts";

const FLEET_CALLS = fileURLToPath(new URL("./fleet-calls.ts", import.meta.url));

/** The processes whose parent is `parent`, with their command lines. */
async function childrenOf(parent: number): Promise<Array<{ pid: number; command: string }>> {
  const children: Array<{ pid: number; command: string }> = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== parent) continue;
      const command = (await readFile(`/proc/${entry}/cmdline`, "utf8")).replaceAll("\0", " ");
      children.push({ pid: Number(entry), command });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return children;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const leftovers: number[] = [];
afterEach(() => {
  for (const pid of leftovers.splice(0)) if (alive(pid)) process.kill(pid, "SIGKILL");
});

describe("a bench stopped by a signal", () => {
  it.runIf(process.platform === "linux")(
    "stops the emulator and the daemon it started, and exits 143",
    { timeout: 120_000 },
    async () => {
      const bench = spawn(process.execPath, [FLEET_CALLS, "--fleet", "1"], { stdio: "ignore" });
      const exited = new Promise<number | null>((resolve) => bench.once("exit", (code) => resolve(code)));
      leftovers.push(bench.pid ?? 0);
      // Both started: the emulator first, the daemon measured once the fleet has converged.
      const started = await waitFor(
        "the bench's emulator and daemon processes",
        async () => {
          const children = await childrenOf(bench.pid ?? 0);
          const emulator = children.find((child) => / emulator /.test(child.command));
          const daemon = children.find((child) => / run /.test(child.command));
          return emulator && daemon ? [emulator.pid, daemon.pid] : undefined;
        },
        90_000,
        200,
      );
      leftovers.push(...started);

      bench.kill("SIGTERM");
      expect(await exited).toBe(143);
      expect(started.filter(alive)).toEqual([]);
    },
  );
});
