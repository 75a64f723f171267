/** The due queue hands out exactly what is due, once, earliest first, whatever order wakes came in. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DueQueue } from "./due-queue.ts";

describe("DueQueue", () => {
  it("gives the items due by now, earliest first, and keeps the others", () => {
    const queue = new DueQueue<string>();
    queue.wake("c", 30);
    queue.wake("a", 10);
    queue.wake("b", 20);
    expect(queue.takeDue(20)).toEqual(["a", "b"]);
    expect(queue.takeDue(25)).toEqual([]);
    expect(queue.size).toBe(1);
    expect(queue.nextDueAt()).toBe(30);
    expect(queue.takeDue(30)).toEqual(["c"]);
    expect(queue.nextDueAt()).toBe(Number.POSITIVE_INFINITY);
  });

  it("keeps an item's earliest wake: a later one does not postpone it, an earlier one brings it forward", () => {
    const queue = new DueQueue<string>();
    queue.wake("a", 50);
    queue.wake("a", 80);
    expect(queue.dueAt("a")).toBe(50);
    queue.wake("a", 5);
    expect(queue.takeDue(10)).toEqual(["a"]);
    // The superseded entries at 50 and 80 are not handed out again.
    expect(queue.takeDue(100)).toEqual([]);
  });

  it("hands out an item woken again after it was taken", () => {
    const queue = new DueQueue<string>();
    queue.wake("a", 1);
    expect(queue.takeDue(1)).toEqual(["a"]);
    queue.wake("a", 1);
    expect(queue.takeDue(2)).toEqual(["a"]);
  });

  it("never keeps an item due at Infinity, and forgets one on request", () => {
    const queue = new DueQueue<string>();
    queue.wake("never", Number.POSITIVE_INFINITY);
    queue.wake("gone", 1);
    queue.forget("gone");
    expect(queue.size).toBe(0);
    expect(queue.takeDue(10)).toEqual([]);
  });

  it("matches a plain list of earliest wakes for any sequence of wakes and takes", () => {
    const operation = fc.oneof(
      fc.record({ wake: fc.integer({ min: 0, max: 20 }), at: fc.integer({ min: 0, max: 1000 }) }),
      fc.record({ take: fc.integer({ min: 0, max: 1000 }) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 300 }), (operations) => {
        const queue = new DueQueue<number>();
        const model = new Map<number, number>();
        for (const step of operations) {
          if ("wake" in step) {
            const current = model.get(step.wake);
            if (current === undefined || step.at < current) model.set(step.wake, step.at);
            queue.wake(step.wake, step.at);
            continue;
          }
          const expected = [...model]
            .filter(([, at]) => at <= step.take)
            .sort(([itemA, atA], [itemB, atB]) => atA - atB || itemA - itemB);
          for (const [item] of expected) model.delete(item);
          const taken = queue.takeDue(step.take);
          // Earliest first; items due at the same time may come in any order.
          expect(taken.map((item) => queue.dueAt(item))).toEqual(taken.map(() => undefined));
          expect(new Set(taken)).toEqual(new Set(expected.map(([item]) => item)));
          const times = taken.map((item) => expected.find(([candidate]) => candidate === item)?.[1] ?? -1);
          expect(times).toEqual([...times].sort((a, b) => a - b));
          expect(queue.size).toBe(model.size);
        }
      }),
    );
  });
});
