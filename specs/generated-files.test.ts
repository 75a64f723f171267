import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { README_FILE, SCHEMA_FILE } from "./generate.ts";
import { serviceJsonSchemaText } from "./json-schema.ts";
import { withSpecReference } from "./spec-reference.ts";

describe("files generated from the zod schema", () => {
  it("specs/service.schema.json is up to date (run `npm run generate`)", async () => {
    expect(await readFile(SCHEMA_FILE, "utf8")).toBe(serviceJsonSchemaText());
  });

  it("the README's spec reference is up to date (run `npm run generate`)", async () => {
    const readme = await readFile(README_FILE, "utf8");
    expect(readme).toBe(withSpecReference(readme));
  });

  it("documents every field with a description", async () => {
    const schema = JSON.parse(await readFile(SCHEMA_FILE, "utf8"));
    const undocumented: string[] = [];
    const walk = (node: { properties?: Record<string, unknown>; description?: string }, path: string) => {
      for (const [name, child] of Object.entries(node.properties ?? {})) {
        const childNode = child as { properties?: Record<string, unknown>; description?: string };
        if (!childNode.description) undocumented.push(`${path}${name}`);
        walk(childNode, `${path}${name}.`);
      }
    };
    walk(schema, "");
    expect(undocumented).toEqual([]);
  });
});
