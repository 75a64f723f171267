/**
 * Output for humans: colour only when the stream is a TTY and NO_COLOR is unset (node's styleText
 * checks both), and a writer that commands use instead of console.* so tests can capture it.
 *
 * Every line a person reads passes through `TerminalWriter.line`, which escapes control characters:
 * text from a spec (a key, a value, a file name) or from AWS could otherwise clear the screen, move
 * the cursor, forge a line or reorder what is shown. Only the writer's own colours reach the terminal.
 */
import { randomUUID } from "node:crypto";
import type { Readable, Writable } from "node:stream";
import { inspect, styleText } from "node:util";

/** Where a command writes: results to stdout, problems to stderr. */
export interface CliStreams {
  stdout: Writable;
  stderr: Writable;
  /** Where `-f -` reads a spec from (validate, plan); absent, `-f -` is refused. */
  stdin?: Readable;
}

type Style = Exclude<Parameters<typeof styleText>[0], readonly unknown[]>;

/**
 * C0 controls but tab, DEL, C1 controls (U+009B is a one-character escape sequence on some terminals),
 * line and paragraph separators, and the marks, overrides and isolates that reorder text.
 */
const UNSAFE_CHARACTERS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The same characters, but only those JSON.stringify leaves as they are (it escapes C0 itself). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `\n`, `\r`, `\x1b`, `\u202e`: what the character is, in a form that does nothing on a terminal. */
export function escapeControlCharacters(text: string): string {
  return text.replace(UNSAFE_CHARACTERS, (character) => {
    if (character === "\n") return "\\n";
    if (character === "\r") return "\\r";
    const code = character.charCodeAt(0);
    return code < 0x80 ? `\\x${code.toString(16).padStart(2, "0")}` : unicodeEscape(code);
  });
}

/** JSON text with the characters JSON.stringify leaves raw (C1 controls, separators, bidi) escaped. */
function safeJson(text: string): string {
  return text.replace(UNSAFE_IN_JSON, (character) => unicodeEscape(character.charCodeAt(0)));
}

function unicodeEscape(code: number): string {
  return `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * Marks where a style starts or ends inside a line until `line` writes it as an escape sequence.
 * Random per process, so text from a spec cannot forge one: every other control character is escaped.
 */
const STYLE_MARK = `\u0000${randomUUID()}`;
const STYLE_CODE = /^\d+m/;

/** Writes lines to one stream, styling them when the stream is a colour terminal. */
export class TerminalWriter {
  readonly #stream: Writable;

  constructor(stream: Writable) {
    this.#stream = stream;
  }

  /** `text` in the given style, or plain when colours are off for this stream; write it with `line`. */
  style(style: Style, text: string): string {
    const probe = styleText(style, "x", {
      stream: this.#stream as NodeJS.WritableStream,
      validateStream: true,
    });
    const codes = inspect.colors[style];
    if (probe === "x" || !codes) return text;
    const [open, close] = codes;
    return `${STYLE_MARK}${open}m${text}${STYLE_MARK}${close}m`;
  }

  /** One line, its control characters escaped; only the styles `style` applied are written as such. */
  line(text = ""): void {
    const [unstyled = "", ...styled] = text.split(STYLE_MARK);
    let escaped = escapeControlCharacters(unstyled);
    for (const part of styled) {
      const code = STYLE_CODE.exec(part)?.[0] ?? "";
      escaped += `${code ? `\u001b[${code}` : ""}${escapeControlCharacters(part.slice(code.length))}`;
    }
    this.#stream.write(`${escaped}\n`);
  }

  /** JSON, with the few characters JSON.stringify leaves raw escaped too: it parses to the same value. */
  json(value: unknown): void {
    this.#stream.write(`${safeJson(JSON.stringify(value, null, 2))}\n`);
  }

  /** One JSON value on one line (JSON Lines, for output that streams), escaped as `json` does. */
  jsonLine(value: unknown): void {
    this.#stream.write(`${safeJson(JSON.stringify(value))}\n`);
  }
}
