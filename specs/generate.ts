/**
 * Writes the files generated from the zod schema: `specs/service.schema.json` and the spec reference
 * in README.md. Run with `npm run generate`; a test fails when either is stale.
 */
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { serviceJsonSchemaText } from "./json-schema.ts";
import { withSpecReference } from "./spec-reference.ts";

export const SCHEMA_FILE = fileURLToPath(new URL("./service.schema.json", import.meta.url));
export const README_FILE = fileURLToPath(new URL("../README.md", import.meta.url));

if (import.meta.main) {
  await writeFile(SCHEMA_FILE, serviceJsonSchemaText());
  await writeFile(README_FILE, withSpecReference(await readFile(README_FILE, "utf8")));
  console.log(`wrote ${SCHEMA_FILE} and the spec reference in ${README_FILE}`);
}
