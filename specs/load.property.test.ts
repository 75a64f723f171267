/**
 * Property-based: whatever bytes or documents arrive, the loader returns a spec or throws a
 * SpecError whose issues all carry a file, a position and a message. Never anything else.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { SpecError } from "./issues.ts";
import { parseSpec } from "./load.ts";
import { merge, validDocument } from "./test-builders.ts";

function loadsOrFailsCleanly(text: string): void {
  try {
    parseSpec(text, "fuzz.yaml");
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) {
      expect(issue.file).toBe("fuzz.yaml");
      expect(issue.line).toBeGreaterThanOrEqual(1);
      expect(issue.column).toBeGreaterThanOrEqual(1);
      expect(issue.message.length).toBeGreaterThan(0);
    }
  }
}

const keys = [
  "apiVersion",
  "kind",
  "metadata",
  "spec",
  "name",
  "task",
  "container",
  "image",
  "port",
  "cpu",
  "memory",
  "network",
  "autoscaling",
  "minTasks",
  "maxTasks",
  "service",
  "desiredCount",
  "environment",
  "secrets",
  "__proto__",
  "constructor",
];
const yamlValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string()), tie("value"), { maxKeys: 5 }),
  ),
})).value;

describe("parseSpec under random input", () => {
  it("survives arbitrary text", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 400 }), loadsOrFailsCleanly), {
      numRuns: 500,
    });
  });

  it("survives arbitrary YAML documents", () => {
    fc.assert(
      fc.property(yamlValue, (value) => loadsOrFailsCleanly(stringify(value))),
      { numRuns: 500 },
    );
  });

  it("survives a valid spec with random fields replaced", () => {
    const paths = [
      ["metadata"],
      ["metadata", "name"],
      ["metadata", "tags"],
      ["spec"],
      ["spec", "task"],
      ["spec", "task", "cpu"],
      ["spec", "task", "memory"],
      ["spec", "task", "container"],
      ["spec", "task", "container", "environment"],
      ["spec", "network", "loadBalancerSubnets"],
      ["spec", "autoscaling"],
      ["spec", "service", "desiredCount"],
      ["spec", "loadBalancer", "healthCheck"],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), yamlValue, (path, value) => {
        const patch = path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<
          string,
          unknown
        >;
        loadsOrFailsCleanly(stringify(merge(validDocument(), patch)));
      }),
      { numRuns: 500 },
    );
  });

  it("survives truncation of a valid spec at any point", () => {
    const text = stringify(validDocument());
    fc.assert(
      fc.property(fc.nat({ max: text.length }), (cut) => loadsOrFailsCleanly(text.slice(0, cut))),
      { numRuns: 200 },
    );
  });
});
