/** Polls until `probe` returns a value: tests wait for states, never for fixed durations. */

/** Generous: the test machines are shared 2-core boxes. */
export const DEFAULT_DEADLINE_MS = 20_000;

/** What `waitFor` throws when its deadline passes (a failing probe rejects with its own error). */
export class WaitTimeoutError extends Error {
  constructor(what: string) {
    super(`timed out waiting for ${what}`);
    this.name = "WaitTimeoutError";
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  deadlineMs = DEFAULT_DEADLINE_MS,
  /** Between probes: longer when a probe is costly (a thousand services' status). */
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new WaitTimeoutError(what);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
