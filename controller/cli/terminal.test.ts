import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { specYaml } from "../../specs/test-builders.ts";
import { renderPlan } from "../engine/render-plan.ts";
import { validateCommand } from "./commands/validate.ts";
import { escapeControlCharacters, TerminalWriter } from "./terminal.ts";
import { captureStreams } from "./test-streams.ts";

/** Text a hostile spec could carry: clear the screen, turn red, move the cursor, hide, reorder, break lines. */
const HOSTILE = "\u001b[2J\u001b[31mowned\u0007\r\u0008\u007f\u009b31m\u2028\u2029\u202e\n";
const ESCAPED = "\\x1b[2J\\x1b[31mowned\\x07\\r\\x08\\x7f\\u009b31m\\u2028\\u2029\\u202e\\n";
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A stream that says it is a colour terminal, capturing what is written. */
function colourTerminal(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    }),
    { isTTY: true, getColorDepth: () => 8, hasColors: () => true },
  );
  return { stream, text: () => chunks.join("") };
}

describe("escapeControlCharacters", () => {
  it("makes every control, line-breaking and reordering character visible, and keeps the rest", () => {
    expect(escapeControlCharacters(HOSTILE)).toBe(ESCAPED);
    expect(escapeControlCharacters("tab\there, Grüße 🚀 \\x1b stays")).toBe(
      "tab\there, Grüße 🚀 \\x1b stays",
    );
  });
});

describe("TerminalWriter", () => {
  const saved = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };
  beforeEach(() => {
    delete process.env.NO_COLOR;
    delete process.env.FORCE_COLOR;
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("escapes what a line carries, when colours are off", () => {
    const streams = captureStreams();
    const out = new TerminalWriter(streams.stdout);
    out.line(`${out.style("red", `error: ${HOSTILE}`)} key ${HOSTILE}`);
    expect(streams.stdoutText()).toBe(`error: ${ESCAPED} key ${ESCAPED}\n`);
  });

  it("keeps its own colours on a terminal and escapes the ones a spec carries", () => {
    const terminal = colourTerminal();
    const out = new TerminalWriter(terminal.stream);
    out.line(`${out.style("bold", `Service ${out.style("green", "ok")} ${HOSTILE}`)} ${HOSTILE}`);
    expect(terminal.text()).toBe(`\u001b[1mService \u001b[32mok\u001b[39m ${ESCAPED}\u001b[22m ${ESCAPED}\n`);
  });

  it("escapes a rendered plan's values the same way", () => {
    const streams = captureStreams();
    const out = new TerminalWriter(streams.stdout);
    const lines = renderPlan(
      [
        {
          action: "update",
          resource: "TaskDefinition",
          name: "web",
          diff: [{ path: `container.environment.${HOSTILE}`, observed: "a", desired: HOSTILE }],
        },
      ] as never,
      (style, text) => out.style(style, text),
    );
    for (const line of lines) out.line(line);
    expect(streams.stdoutText().replaceAll("\n", "")).not.toMatch(RAW_CONTROL);
    expect(streams.stdoutText()).toContain("container.environment.\\x1b[2J");
  });

  it("writes JSON that parses back to the same value, with line separators escaped too", () => {
    const streams = captureStreams();
    new TerminalWriter(streams.stdout).json({ key: HOSTILE });
    const text = streams.stdoutText();
    expect(text.replaceAll("\n", "")).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(text)).toEqual({ key: HOSTILE });
  });
});

describe("validate prints what a hostile spec carries escaped", () => {
  let directory: string | undefined;
  afterEach(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it("in problems, field paths and file names", async () => {
    directory = await mkdtemp(join(tmpdir(), "ecs-converge-escapes-"));
    const file = join(directory, "\u001b[2Jweb.yaml");
    await writeFile(file, `${specYaml()}"\\e[2J\\e[31mkey": 1\n`);
    const streams = captureStreams();
    await validateCommand({ file }, streams);
    const printed = streams.stderrText();
    expect(printed).not.toContain("\u001b");
    expect(printed).toContain("\\x1b[2J\\x1b[31mkey: unknown field");
    expect(printed).toContain("\\x1b[2Jweb.yaml");
  });
});

describe("validate of a file with more problems than it lists", () => {
  let directory: string | undefined;
  afterEach(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it("counts them all and lists the first ones", async () => {
    directory = await mkdtemp(join(tmpdir(), "ecs-converge-many-"));
    const file = join(directory, "web.yaml");
    await writeFile(
      file,
      `${specYaml()}${Array.from({ length: 80 }, (_, index) => `f${index}: 1\n`).join("")}`,
    );
    const streams = captureStreams();
    await validateCommand({ file }, streams);
    const lines = streams.stderrText().trimEnd().split("\n");
    expect(lines[0]).toBe(`✗ ${file}: 80 problems`);
    expect(lines).toHaveLength(1 + 50 + 1);
    expect(lines.at(-1)).toBe(`error: ${file}: … and 30 more problems: fix the ones above first`);
  });
});
