import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { reserveLoopbackBlock } from "./loopback-block.ts";

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});
const directory = () => {
  const made = mkdtempSync(join(tmpdir(), "ecs-converge-blocks-"));
  directories.push(made);
  return made;
};

/** A pid that no process has any more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  return Number(child.stdout);
}

describe("reserveLoopbackBlock", () => {
  it("gives a lone emulator 127.31 and the next one 127.32, and a released block is reused", () => {
    const locks = directory();
    const first = reserveLoopbackBlock(locks);
    const second = reserveLoopbackBlock(locks);
    expect([first.octet, second.octet]).toEqual([31, 32]);
    first.release();
    first.release();
    expect(existsSync(join(locks, "ecs-converge-loopback-127.31.lock"))).toBe(false);
    const third = reserveLoopbackBlock(locks);
    expect(third.octet).toBe(31);
    second.release();
    third.release();
  });

  it("takes over a block whose holder died without giving it back, and skips one a live process holds", () => {
    const locks = directory();
    writeFileSync(join(locks, "ecs-converge-loopback-127.31.lock"), String(deadPid()));
    writeFileSync(join(locks, "ecs-converge-loopback-127.32.lock"), String(process.ppid));
    const block = reserveLoopbackBlock(locks);
    expect(block.octet).toBe(31);
    const next = reserveLoopbackBlock(locks);
    expect(next.octet).toBe(33);
    block.release();
    next.release();
  });

  it("stays held while a helper it named lives on after its holder died, and is free once all are gone", () => {
    const locks = directory();
    const block = reserveLoopbackBlock(locks);
    block.holdWhileAlive(process.ppid);
    const file = join(locks, "ecs-converge-loopback-127.31.lock");
    expect(readFileSync(file, "utf8")).toBe(`${process.pid} ${process.ppid}`);
    // As a SIGKILLed emulator leaves it: the emulator dead, its reaper still killing its tasks.
    writeFileSync(file, `${deadPid()} ${process.ppid}`);
    expect(reserveLoopbackBlock(locks).octet).toBe(32);
    writeFileSync(file, `${deadPid()} ${deadPid()}`);
    expect(reserveLoopbackBlock(locks).octet).toBe(31);
  });
});
