/** How many modules a Node compile cache directory holds (its entries sit one level under a per-version folder). */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

export function cachedModuleCount(directory: string): number {
  if (!existsSync(directory)) return 0;
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .reduce((count, entry) => count + readdirSync(join(directory, entry.name)).length, 0);
}
