/**
 * Loaded with `node --import`: writes `loaded <url>` on stderr for every file module the process
 * resolves, so a test can tell which of the project's modules a command holds.
 */
import { registerHooks } from "node:module";

registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    if (result.url.startsWith("file:")) process.stderr.write(`loaded ${result.url}\n`);
    return result;
  },
});
