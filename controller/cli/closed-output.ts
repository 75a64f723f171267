/**
 * When the reader of the CLI's output goes away (`validate … | head -1`, `plan | less` quit early),
 * writes fail with EPIPE, which Node raises as an unhandled 'error' event: a crash with a stack trace.
 * The output is simply no longer wanted, so later writes are dropped and the command finishes as it
 * would have, with its own exit code (`plan --detailed-exitcode | head` still says whether there are
 * changes, and an apply is not cut off half-way).
 */
import type { Writable } from "node:stream";

/** Errors of a stream whose reader has gone: the first write's, then every later one's. */
const READER_GONE: ReadonlySet<string | undefined> = new Set(["EPIPE", "ERR_STREAM_DESTROYED"]);

/** Drops what is written to `stream` once its reader has gone; any other write error still surfaces. */
export function ignoreClosedReader(stream: Writable): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (!READER_GONE.has(error.code)) throw error;
  });
}
