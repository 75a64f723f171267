/** The slow tier: what it keeps, for how long, and what makes it read again (a failed read, a clear). */
import { describe, expect, it } from "vitest";
import { SlowReads } from "./slow-reads.ts";

/** A read that counts how often AWS would have been asked. */
function countingRead(values: string[]) {
  let calls = 0;
  return {
    read: () => Promise.resolve(values[calls++] ?? "none"),
    calls: () => calls,
  };
}

describe("SlowReads", () => {
  it("keeps a value for its max age, then reads again", async () => {
    let now = 0;
    const slow = new SlowReads(10_000, () => now);
    const aws = countingRead(["first", "second"]);
    expect(await slow.read("key", aws.read)).toBe("first");
    now = 9_999;
    expect(await slow.read("key", aws.read)).toBe("first");
    expect(aws.calls()).toBe(1);
    now = 10_000;
    expect(await slow.read("key", aws.read)).toBe("second");
    expect(aws.calls()).toBe(2);
  });

  it("reads every time with a max age of 0 (the CLI), keeping nothing", async () => {
    const slow = new SlowReads(0, () => 0);
    const aws = countingRead(["first", "second"]);
    expect(await slow.read("key", aws.read)).toBe("first");
    expect(await slow.read("key", aws.read)).toBe("second");
    expect(slow.size).toBe(0);
  });

  it("does not keep a failed read", async () => {
    const slow = new SlowReads(10_000, () => 0);
    await expect(slow.read("key", () => Promise.reject(new Error("throttled")))).rejects.toThrow("throttled");
    expect(await slow.read("key", () => Promise.resolve("read again"))).toBe("read again");
  });

  it("reads everything again once cleared (an apply changed something)", async () => {
    const slow = new SlowReads(10_000, () => 0);
    const aws = countingRead(["before", "after"]);
    await slow.read("key", aws.read);
    slow.clear();
    expect(await slow.read("key", aws.read)).toBe("after");
  });

  it("keeps keys apart", async () => {
    const slow = new SlowReads(10_000, () => 0);
    expect(await slow.read("a", () => Promise.resolve("A"))).toBe("A");
    expect(await slow.read("b", () => Promise.resolve("B"))).toBe("B");
    expect(await slow.read("a", () => Promise.resolve("other"))).toBe("A");
  });

  it("puts off a due refresh while the fleet's pace says no, asking only once it is due", async () => {
    let now = 0;
    const slow = new SlowReads(10_000, () => now);
    const aws = countingRead(["first", "second"]);
    let allowed = false;
    let asked = 0;
    const mayRefresh = () => {
      asked += 1;
      return allowed;
    };
    // Never read: read whatever the pace says.
    expect(await slow.read("key", aws.read, mayRefresh)).toBe("first");
    now = 5_000;
    expect(await slow.read("key", aws.read, mayRefresh)).toBe("first");
    expect(asked).toBe(0);
    now = 20_000;
    expect(await slow.read("key", aws.read, mayRefresh)).toBe("first");
    expect([aws.calls(), asked]).toEqual([1, 1]);
    allowed = true;
    expect(await slow.read("key", aws.read, mayRefresh)).toBe("second");
    expect([aws.calls(), asked]).toEqual([2, 2]);
  });
});
