/** Captures what a command writes, for tests that run the CLI in-process. */
import { Writable } from "node:stream";
import type { CliStreams } from "./terminal.ts";

export interface CapturedStreams extends CliStreams {
  stdoutText(): string;
  stderrText(): string;
}

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

export function captureStreams(): CapturedStreams {
  const stdout = capture();
  const stderr = capture();
  return { stdout: stdout.stream, stderr: stderr.stream, stdoutText: stdout.text, stderrText: stderr.text };
}
