import { type App, createApp } from "./app.ts";
import { configFromEnv } from "./config.ts";
import { createJsonLogger } from "./log.ts";

const log = createJsonLogger();

let app: App;
try {
  app = createApp(configFromEnv(process.env), log);
} catch (error) {
  log("error", "invalid configuration", { error });
  process.exit(1);
}

let shuttingDown = false;

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  // A second Ctrl-C means "stop waiting"; ECS sends SIGKILL itself after its stopTimeout.
  if (shuttingDown) {
    log("warn", "second signal during shutdown, exiting now", { signal });
    process.exit(1);
  }
  shuttingDown = true;
  log("info", "shutdown started", { signal });
  const { forced } = await app.close();
  if (forced) log("error", "shutdown timed out, dropped in-flight requests");
  else log("info", "shutdown complete");
  process.exit(forced ? 1 : 0);
}

// Installed before listening, so a task stopped while it is still starting also exits cleanly. Handling the
// signals explicitly also matters because Node runs as PID 1 in the container, where defaults do not apply.
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);

try {
  await app.listen();
} catch (error) {
  log("error", "could not listen", { error });
  process.exit(1);
}
