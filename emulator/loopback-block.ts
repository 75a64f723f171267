/**
 * Which 127.N.0.0/16 an emulator's loopback network uses. Task processes listen on their ENI's own
 * IP, and ENI IPs come from a seeded stream: two emulators on one machine (tests run side by side, or
 * a user's two terminals) would hand out the same addresses and fight over them. Each emulator
 * therefore reserves its own block with a lock file in the temporary directory, created exclusively and
 * holding its pid, and the pids of the helpers that outlive it (the process reaper, which kills the
 * tasks of an emulator that was SIGKILLed). A lock none of whose processes is alive is taken over: so a
 * block is free again only once a killed emulator's tasks are gone, never while they still listen on
 * its addresses. 127.31 comes first, so a lone emulator keeps the documented addresses.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const FIRST_OCTET = 31;
/** 127.31 … 127.254: 224 emulators at once on one machine, far beyond any test run. */
const LAST_OCTET = 254;

export interface LoopbackBlock {
  /** N of 127.N.0.0/16. */
  octet: number;
  /** Keeps the block held for as long as `pid` lives too, even past this process's death. */
  holdWhileAlive(pid: number): void;
  /** Gives the block back (idempotent). */
  release(): void;
}

const lockFile = (directory: string, octet: number) =>
  join(directory, `ecs-converge-loopback-127.${octet}.lock`);

/** Whether a process with this pid is alive (signal 0 tests without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Reserves the first free block; throws when all are held by live processes. */
export function reserveLoopbackBlock(directory = tmpdir()): LoopbackBlock {
  for (let octet = FIRST_OCTET; octet <= LAST_OCTET; octet++) {
    const file = lockFile(directory, octet);
    if (!tryCreate(file)) {
      const holders = readQuietly(file).split(/\s+/).map(Number);
      // A lock left by processes that all died without releasing it (or a torn write) is free again.
      if (holders.some((holder) => Number.isInteger(holder) && holder > 0 && alive(holder))) continue;
      try {
        unlinkSync(file);
      } catch {
        // Someone else took it over first: try the next block.
      }
      if (!tryCreate(file)) continue;
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off("exit", release);
      try {
        unlinkSync(file);
      } catch {
        // Already gone: nothing to give back.
      }
    };
    process.on("exit", release);
    const holders = [process.pid];
    const holdWhileAlive = (pid: number) => {
      if (released) return;
      holders.push(pid);
      // Rewritten whole: a reader sees the old list or the new one (a torn read holds nothing, as above).
      writeFileSync(file, holders.join(" "));
    };
    return { octet, holdWhileAlive, release };
  }
  throw new Error(
    `every loopback block 127.${FIRST_OCTET}-${LAST_OCTET}.0.0/16 is held by a running emulator`,
  );
}

function tryCreate(file: string): boolean {
  try {
    const descriptor = openSync(file, "wx");
    writeSync(descriptor, String(process.pid));
    closeSync(descriptor);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

function readQuietly(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return "";
  }
}
