/**
 * Output for humans: colour only when the stream is a TTY and NO_COLOR is unset (node's styleText
 * checks both), and a writer that commands use instead of console.* so tests can capture it.
 */
import type { Writable } from "node:stream";
import { styleText } from "node:util";

/** Where a command writes: results to stdout, problems to stderr. */
export interface CliStreams {
  stdout: Writable;
  stderr: Writable;
}

type Style = Parameters<typeof styleText>[0];

/** Writes lines to one stream, styling them when the stream is a colour terminal. */
export class TerminalWriter {
  readonly #stream: Writable;

  constructor(stream: Writable) {
    this.#stream = stream;
  }

  /** `text` in the given style, or plain when colours are off for this stream. */
  style(style: Style, text: string): string {
    return styleText(style, text, { stream: this.#stream as NodeJS.WritableStream, validateStream: true });
  }

  line(text = ""): void {
    this.#stream.write(`${text}\n`);
  }

  json(value: unknown): void {
    this.#stream.write(`${JSON.stringify(value, null, 2)}\n`);
  }
}
