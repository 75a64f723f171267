import { describe, expect, it } from "vitest";
import { observationPart } from "../resources/observation-part.ts";
import type { StackContext } from "./context.ts";
import { observeParts } from "./observe.ts";

const context = {} as StackContext;

/** A load balancer and its listeners, read as the stack's parts read them, recording the order. */
function parts(reads: string[]) {
  const loadBalancer = observationPart({
    field: "loadBalancer",
    needs: [],
    async observe() {
      reads.push("loadBalancer");
      return { arn: "arn:lb" };
    },
  });
  const listeners = observationPart({
    field: "listeners",
    needs: ["loadBalancer"],
    async observe(_context, { loadBalancer }: { loadBalancer: { arn: string } }) {
      reads.push("listeners");
      return [`${loadBalancer.arn}/80`];
    },
  });
  const cluster = observationPart({
    field: "cluster",
    needs: [],
    async observe() {
      reads.push("cluster");
      return "web";
    },
  });
  return { loadBalancer, listeners, cluster };
}

describe("observeParts", () => {
  it("gives each part what it needs, whatever the list's order, and assembles one field per part", async () => {
    const reads: string[] = [];
    const { loadBalancer, listeners, cluster } = parts(reads);
    const observation = await observeParts([listeners, cluster, loadBalancer], context);
    expect(observation).toEqual({
      loadBalancer: { arn: "arn:lb" },
      listeners: ["arn:lb/80"],
      cluster: "web",
    });
    // Parts that need nothing start together; a part waits only for what it needs.
    expect(reads.indexOf("listeners")).toBeGreaterThan(reads.indexOf("loadBalancer"));
    expect(reads.indexOf("cluster")).toBeLessThan(reads.indexOf("listeners"));
  });

  it("reads each part once, however many parts need it", async () => {
    const reads: string[] = [];
    const { loadBalancer, listeners } = parts(reads);
    const alsoNeedsLoadBalancer = observationPart({
      field: "previousService",
      needs: ["loadBalancer"],
      observe: async (_context, { loadBalancer }: { loadBalancer: { arn: string } }) => loadBalancer.arn,
    });
    await observeParts([loadBalancer, listeners, alsoNeedsLoadBalancer], context);
    expect(reads.filter((read) => read === "loadBalancer")).toHaveLength(1);
  });

  it("refuses a part whose need no part observes", async () => {
    const { listeners } = parts([]);
    // @ts-expect-error the load balancer is not observed: the stack's list does not compile
    await expect(observeParts([listeners], context)).rejects.toThrow(
      "observation part loadBalancer is needed but not part of the stack",
    );
  });

  it("rejects with the read that failed", async () => {
    const { listeners } = parts([]);
    const failing = observationPart({
      field: "loadBalancer",
      needs: [],
      observe: async (): Promise<{ arn: string }> => {
        throw new Error("throttled");
      },
    });
    await expect(observeParts([failing, listeners], context)).rejects.toThrow("throttled");
  });
});
