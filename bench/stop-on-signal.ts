/**
 * A bench stopped by SIGINT or SIGTERM stops the processes it started (the emulator, the daemon
 * measured) before it exits: sent to the bench alone, as a supervisor or `timeout` sends it, the
 * signal would otherwise leave them running with nothing to stop them.
 */
import { killDaemons } from "../test/support/daemon-process.ts";
import { killEmulatorProcesses } from "../test/support/emulator-process.ts";

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

export function stopChildrenOnSignal(): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      console.error(`${signal}: stopping the processes this bench started`);
      void Promise.all([killDaemons(), killEmulatorProcesses()]).finally(() =>
        process.exit(EXIT_CODES[signal]),
      );
    });
}
