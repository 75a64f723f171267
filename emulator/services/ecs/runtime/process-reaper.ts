/**
 * The parent-death watchdog of the process runtime, run as its own small process:
 * `node process-reaper.ts <owner-token>`. The emulator writes `+<pgid>` when it starts a task's process
 * group and `-<pgid>` once that group is gone. Its stdin is a pipe from the emulator, so end of input
 * means the emulator went away (closed cleanly, crashed, or was SIGKILLed): the reaper then SIGKILLs
 * every group still listed and, on Linux, every process whose environment carries the owner token (a
 * process started just before the emulator died, before its group was written), then exits.
 * It runs in a session of its own, so the terminal's Ctrl-C does not reach it before it has done this.
 */
import { readdirSync, readFileSync } from "node:fs";

const OWNER_VARIABLE = "ECS_EMULATOR_TASK_OWNER";
const token = process.argv[2] ?? "";
const groups = new Set<number>();
let pending = "";

function killGroup(group: number): void {
  try {
    process.kill(-group, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Groups of processes that carry the owner token in their environment (Linux only). */
function groupsCarryingToken(): number[] {
  if (process.platform !== "linux" || token === "") return [];
  const marker = `${OWNER_VARIABLE}=${token}`;
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, "latin1").split("\0").includes(marker)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      const group = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (group > 1) found.push(group);
    } catch {
      // Exited meanwhile, or not ours to read.
    }
  }
  return found;
}

function reapAll(): void {
  for (const group of groups) killGroup(group);
  for (const group of groupsCarryingToken()) killGroup(group);
  process.exit(0);
}

process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  pending += chunk;
  const lines = pending.split("\n");
  pending = lines.pop() ?? "";
  for (const line of lines) {
    const group = Number(line.slice(1));
    if (!Number.isInteger(group) || group <= 1) continue;
    if (line.startsWith("+")) groups.add(group);
    else if (line.startsWith("-")) groups.delete(group);
  }
});
process.stdin.on("end", reapAll);
process.stdin.on("error", reapAll);
process.stdin.on("close", reapAll);
// The terminal's signals are not ours to obey: only the end of the pipe ends the watch.
process.on("SIGINT", () => {});
process.on("SIGHUP", () => {});
