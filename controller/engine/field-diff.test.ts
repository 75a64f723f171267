import { describe, expect, it } from "vitest";
import { deepEqual, diffFields } from "./field-diff.ts";
import { KNOWN_AFTER_APPLY, REDACTED, redactSecretArns } from "./plan.ts";

describe("diffFields", () => {
  it.each([
    ["equal scalars", { port: 80 }, { port: 80 }, []],
    ["fields only AWS sets are ignored", { port: 80 }, { port: 80, arn: "arn:x", createdAt: 1 }, []],
    ["a changed scalar", { port: 80 }, { port: 8080 }, [{ path: "port", desired: 80, observed: 8080 }]],
    [
      "a nested change names its path",
      { healthCheck: { path: "/health" } },
      { healthCheck: { path: "/" } },
      [{ path: "healthCheck.path", desired: "/health", observed: "/" }],
    ],
    [
      "a missing observed object reports each desired leaf",
      { a: { b: 1 } },
      {},
      [{ path: "a.b", desired: 1, observed: undefined }],
    ],
    [
      "arrays compare whole",
      { subnets: ["a", "b"] },
      { subnets: ["a"] },
      [{ path: "subnets", desired: ["a", "b"], observed: ["a"] }],
    ],
    ["undefined desired fields are not compared", { a: undefined, b: 1 }, { a: 5, b: 1 }, []],
    [
      "a value known only after apply is a change",
      { targetGroupArn: KNOWN_AFTER_APPLY },
      { targetGroupArn: "arn:old" },
      [{ path: "targetGroupArn", desired: KNOWN_AFTER_APPLY, observed: "arn:old" }],
    ],
  ])("%s", (_reason, desired, observed, expected) => {
    expect(diffFields(desired, observed)).toEqual(expected);
  });

  it("redacts sensitive paths on both sides", () => {
    const diff = diffFields(
      { secrets: [{ name: "DB", valueFrom: "arn:new" }] },
      { secrets: [{ name: "DB", valueFrom: "arn:old" }] },
      {
        isSensitive: (path) => path.startsWith("secrets"),
      },
    );
    expect(diff).toEqual([{ path: "secrets", desired: REDACTED, observed: REDACTED }]);
    expect(JSON.stringify(diff)).not.toContain("arn:");
  });
});

describe("deepEqual", () => {
  it("treats an absent key and an undefined value alike", () => {
    expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
  });

  it("compares arrays in order", () => {
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
  });
});

describe("redactSecretArns", () => {
  it("hides Secrets Manager and SSM ARNs quoted in a message", () => {
    const message =
      "ResourceInitializationError: unable to pull secrets: failed to fetch secret arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf from secrets manager; also arn:aws:ssm:us-east-1:123456789012:parameter/app/key.";
    const redacted = redactSecretArns(message);
    expect(redacted).not.toMatch(/secretsmanager|parameter\/app/);
    expect(redacted).toContain("failed to fetch secret (sensitive) from secrets manager");
  });
});
