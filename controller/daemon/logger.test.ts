import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";

function captured(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

/** What a hostile spec (or an error quoting it) could put in a log line. */
const HOSTILE = "\u001b[2J\u001b[31mowned\r\u009b31m\u2028\u202e";

describe("pretty logs", () => {
  it("escape control characters from fields, messages and errors, and keep a stack's lines", () => {
    const output = captured();
    const log = createLogger({ level: "info", format: "pretty", destination: output.stream });

    log.error({ file: `web${HOSTILE}.yaml`, issue: `spec.${HOSTILE}: unknown field` }, "invalid spec");
    log.error({ err: new Error(`cannot create ${HOSTILE}`) }, "endpoint failed");

    const text = output.text();
    expect(text).toContain("invalid spec");
    expect(text).toMatch(/\\+u001b\[2J/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
    expect(text).not.toMatch(/[\u001b\r\u009b\u2028\u202e]/);
    expect(text).toMatch(/\n\s+at /);
  });

  it("leave JSON logs as JSON", () => {
    const output = captured();
    const log = createLogger({ level: "info", format: "json", destination: output.stream });
    log.error({ file: HOSTILE }, "invalid spec");
    expect(JSON.parse(output.text())).toMatchObject({ file: HOSTILE, msg: "invalid spec" });
  });
});
