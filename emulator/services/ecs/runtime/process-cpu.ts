/**
 * CPU time used by process groups, for the CPU utilisation of tasks run as processes: on Linux read
 * from /proc/<pid>/stat (user + system time of every member, plus that of the children it has
 * waited for), elsewhere from `ps`. Seconds of CPU, summed per group.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let clockTicks: number | undefined;

/** The kernel's clock ticks per second (USER_HZ), almost always 100. */
function ticksPerSecond(): number {
  if (clockTicks !== undefined) return clockTicks;
  try {
    clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8", timeout: 2000 }).trim());
  } catch {
    clockTicks = 100;
  }
  if (!(clockTicks > 0)) clockTicks = 100;
  return clockTicks;
}

function fromProc(groups: ReadonlySet<number>): Map<number, number> {
  const seconds = new Map<number, number>();
  const hz = ticksPerSecond();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "latin1");
    } catch {
      continue;
    }
    // Fields after the command name (which may hold spaces and parentheses): state is field 3.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const group = Number(fields[2]);
    if (!groups.has(group)) continue;
    const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index] ?? 0), 0);
    seconds.set(group, (seconds.get(group) ?? 0) + ticks / hz);
  }
  return seconds;
}

/** `[[dd-]hh:]mm:ss[.cc]` → seconds. */
function parsePsTime(text: string): number {
  const [days, clock] = text.includes("-") ? text.split("-") : ["0", text];
  const parts = (clock ?? "").split(":").map(Number);
  const value = parts.reduce((sum, part) => sum * 60 + part, 0);
  return Number(days) * 86_400 + (Number.isFinite(value) ? value : 0);
}

function fromPs(groups: ReadonlySet<number>): Map<number, number> {
  const seconds = new Map<number, number>();
  let listing: string;
  try {
    listing = execFileSync("ps", ["-A", "-o", "pgid=,time="], { encoding: "utf8", timeout: 2000 });
  } catch {
    return seconds;
  }
  for (const line of listing.split("\n")) {
    const [group, time] = line.trim().split(/\s+/);
    if (!groups.has(Number(group)) || time === undefined) continue;
    seconds.set(Number(group), (seconds.get(Number(group)) ?? 0) + parsePsTime(time));
  }
  return seconds;
}

/** CPU seconds used so far by each of `groups` (a group with no process left is absent). */
export function cpuSecondsByGroup(groups: ReadonlySet<number>): Map<number, number> {
  if (groups.size === 0) return new Map();
  return process.platform === "linux" ? fromProc(groups) : fromPs(groups);
}
