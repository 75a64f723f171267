/** Polls until `probe` returns a value: tests wait for states, never for fixed durations. */

/** Generous: the test machines are shared 2-core boxes. */
export const DEFAULT_DEADLINE_MS = 20_000;

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
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
