import type { ChildProcess } from "node:child_process";

/** SIGKILLs every process of `children` still running, waits for each to exit, and empties the set. */
export async function killChildren(children: Set<ChildProcess>): Promise<void> {
  await Promise.all(
    [...children].map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGKILL");
        await gone;
      }
      children.delete(child);
    }),
  );
}
