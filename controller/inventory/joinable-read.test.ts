/** JoinableRead: callers share a read under way only when it was issued no earlier than they need. */
import { describe, expect, it } from "vitest";
import { JoinableRead } from "./joinable-read.ts";

function deferredRead() {
  const issued: Array<(value: string) => void> = [];
  const read = () => new Promise<string>((resolve) => issued.push(resolve));
  return { issued, read };
}

describe("JoinableRead", () => {
  it("shares a read under way with callers that need nothing newer than its issue", async () => {
    const clock = { now: 10 };
    const shared = new JoinableRead<string>(() => clock.now);
    const { issued, read } = deferredRead();
    const first = shared.get(10, read);
    const second = shared.get(5, read);
    expect(issued).toHaveLength(1);
    issued[0]?.("snapshot");
    expect(await Promise.all([first, second])).toEqual(["snapshot", "snapshot"]);
  });

  it("issues a new read for a caller that began after the one under way was issued, and a new one once settled", async () => {
    const clock = { now: 10 };
    const shared = new JoinableRead<string>(() => clock.now);
    const { issued, read } = deferredRead();
    const old = shared.get(10, read);
    clock.now = 11;
    const newer = shared.get(11, read);
    expect(issued).toHaveLength(2);
    issued[0]?.("old");
    issued[1]?.("new");
    expect([await old, await newer]).toEqual(["old", "new"]);
    // Both settled: the next caller, however undemanding, reads again.
    const again = shared.get(0, read);
    expect(issued).toHaveLength(3);
    issued[2]?.("again");
    expect(await again).toBe("again");
  });

  it("does not keep a failed read: the next caller issues its own", async () => {
    const shared = new JoinableRead<string>(() => 0);
    await expect(shared.get(0, () => Promise.reject(new Error("throttled")))).rejects.toThrow("throttled");
    expect(await shared.get(0, async () => "fine")).toBe("fine");
  });
});
