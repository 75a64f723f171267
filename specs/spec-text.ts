/**
 * A spec file's bytes → its text, bounded: the size is checked before anything is read or parsed, at
 * most the limit is ever read (a file may grow after its size was taken, or have none, like a pipe),
 * and bytes that are not UTF-8 text are one clear problem instead of hundreds of YAML errors.
 */
import { isUtf8 } from "node:buffer";
import { open } from "node:fs/promises";
import { SpecError, type SpecIssue } from "./issues.ts";

/**
 * The largest spec file read, in bytes. A spec describes one service in a few KiB (AWS caps a whole
 * task definition at 64 KiB); 256 KiB leaves room for comments while keeping parsing well under a
 * second, so no file can hold the daemon's event loop for long.
 */
export const MAX_SPEC_FILE_BYTES = 256 * 1024;
const LIMIT = `${MAX_SPEC_FILE_BYTES / 1024} KiB`;

/**
 * Reads a spec file as UTF-8 text. A file over `MAX_SPEC_FILE_BYTES`, or that is not UTF-8 text, is a
 * `SpecError`; a file that cannot be opened or read rejects with the file system's error (its `code`
 * says why), for the caller to word.
 */
export async function readSpecText(file: string): Promise<string> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    if (size > MAX_SPEC_FILE_BYTES) throw tooLarge(file, `is ${describeSize(size)} (${size} bytes)`);
    // One byte more than allowed: reading it means the file is (or has grown) over the limit.
    const buffer = Buffer.alloc(MAX_SPEC_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > MAX_SPEC_FILE_BYTES) throw tooLarge(file, `holds more than ${LIMIT}`);
    return decodeSpecText(file, buffer.subarray(0, length));
  } finally {
    await handle.close();
  }
}

/**
 * Reads a spec from a stream (`-f -`: standard input) as UTF-8 text, under the same cap as a file:
 * reading stops at the first chunk past it. `name` names the source in problems (`<stdin>`).
 */
export async function readSpecStream(
  name: string,
  source: AsyncIterable<Uint8Array | string>,
): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of source) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk);
    length += bytes.length;
    if (length > MAX_SPEC_FILE_BYTES) throw tooLarge(name, `holds more than ${LIMIT}`);
    chunks.push(bytes);
  }
  return decodeSpecText(name, Buffer.concat(chunks));
}

/** The bytes as text, or a `SpecError` naming the first byte that makes them not UTF-8 text. */
export function decodeSpecText(file: string, bytes: Uint8Array): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new SpecError(file, [
      notText(file, bytes, 0, "is UTF-16 text (it starts with a UTF-16 byte order mark): save it as UTF-8"),
    ]);
  }
  const invalidAt = isUtf8(bytes) ? -1 : firstInvalidUtf8Byte(bytes);
  const nulAt = bytes.indexOf(0);
  if (nulAt >= 0 && (invalidAt < 0 || nulAt < invalidAt)) {
    throw new SpecError(file, [
      notText(file, bytes, nulAt, `is not a text file: byte ${nulAt} is NUL; a spec is YAML text in UTF-8`),
    ]);
  }
  if (invalidAt >= 0) {
    throw new SpecError(file, [
      notText(file, bytes, invalidAt, `is not valid UTF-8 at byte ${invalidAt}: save it as UTF-8 text`),
    ]);
  }
  // The decoder drops a UTF-8 byte order mark, as YAML allows one.
  return new TextDecoder("utf-8").decode(bytes);
}

function tooLarge(file: string, size: string): SpecError {
  return new SpecError(file, [
    {
      severity: "error",
      file,
      path: "",
      message: `${size}; a spec file may be at most ${LIMIT}: a spec describes one service in a few KiB, so move bulk data (hundreds of environment variables, say) into a file the container reads or a secret`,
    },
  ]);
}

/** The problem at `offset`, with the line and column of that byte (the text before it is valid). */
function notText(file: string, bytes: Uint8Array, offset: number, message: string): SpecIssue {
  const before = new TextDecoder("utf-8").decode(bytes.subarray(0, offset));
  const lineStart = before.lastIndexOf("\n") + 1;
  const line = before.length - before.replaceAll("\n", "").length + 1;
  return { severity: "error", file, line, column: before.length - lineStart + 1, path: "", message };
}

/**
 * The offset of the first byte that is not part of valid UTF-8. The lenient decoder replaces each
 * invalid sequence with U+FFFD; the first U+FFFD not written in the file as EF BF BD marks it.
 */
function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  let offset = 0;
  for (const character of text) {
    const codePoint = character.codePointAt(0) ?? 0;
    if (
      codePoint === 0xfffd &&
      !(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)
    )
      return offset;
    offset += codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
  }
  return -1;
}

/** `10.2 MiB`, `300.0 KiB`, `1.0 GiB`. */
function describeSize(bytes: number): string {
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
