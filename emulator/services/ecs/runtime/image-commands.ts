/**
 * Which images run as local processes, and with what command: the emulator's `images` option, a
 * `--run-image <pattern>=<command>` flag or an images file (`{ "<pattern>": "<command>" | ["argv", …] }`).
 * A pattern is an image reference in which `*` stands for any run of characters
 * (`*\/sample-app:*` matches every tag of sample-app in any registry).
 */

/** One mapping: the images it matches and the command (no shell) that stands in for their containers. */
export interface ImageCommand {
  pattern: string;
  command: string[];
  /** Where the command runs; default: the emulator's working directory. */
  cwd?: string;
}

/** Bounds for mappings read from flags and files: a handful is all a machine can run anyway. */
const MAX_MAPPINGS = 100;
const MAX_PATTERN_LENGTH = 512;
const MAX_ARGUMENTS = 64;

/** `node app.ts --flag` → `["node", "app.ts", "--flag"]`: split on whitespace, no quoting. */
function splitCommand(text: string): string[] {
  return text.trim().split(/\s+/).filter(Boolean);
}

function checked(pattern: string, command: string[]): ImageCommand {
  if (pattern.trim() === "" || pattern.length > MAX_PATTERN_LENGTH)
    throw new Error(`image pattern must be 1 to ${MAX_PATTERN_LENGTH} characters`);
  if (command.length === 0 || command.length > MAX_ARGUMENTS || command.some((part) => part === ""))
    throw new Error(`the command for ${pattern} must have 1 to ${MAX_ARGUMENTS} non-empty arguments`);
  return { pattern: pattern.trim(), command };
}

/** `<pattern>=<command>`, as `--run-image` takes it; the first `=` separates them. */
export function parseImageFlag(text: string): ImageCommand {
  const separator = text.indexOf("=");
  if (separator <= 0) throw new Error(`expected <image-pattern>=<command>, got "${text}"`);
  return checked(text.slice(0, separator), splitCommand(text.slice(separator + 1)));
}

/** An images file's parsed JSON: `{ "<pattern>": "<command>" | ["argv", …] }`. */
export function parseImagesDocument(document: unknown): ImageCommand[] {
  if (typeof document !== "object" || document === null || Array.isArray(document))
    throw new Error('expected an object such as { "*/sample-app:*": "node sample-app/server.ts" }');
  const entries = Object.entries(document);
  if (entries.length > MAX_MAPPINGS) throw new Error(`at most ${MAX_MAPPINGS} image mappings`);
  return entries.map(([pattern, command]) => {
    if (typeof command === "string") return checked(pattern, splitCommand(command));
    if (Array.isArray(command) && command.every((part) => typeof part === "string"))
      return checked(pattern, command);
    throw new Error(`the command for ${pattern} must be a string or an array of strings`);
  });
}

function patternExpression(pattern: string): RegExp {
  const escaped = pattern.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
  return new RegExp(`^${escaped.join(".*")}$`);
}

/** Finds the command for an image: the first mapping whose pattern matches it. */
export class ImageCommands {
  readonly #mappings: { mapping: ImageCommand; expression: RegExp }[];

  constructor(mappings: readonly ImageCommand[]) {
    if (mappings.length > MAX_MAPPINGS) throw new Error(`at most ${MAX_MAPPINGS} image mappings`);
    this.#mappings = mappings.map((mapping) => ({ mapping, expression: patternExpression(mapping.pattern) }));
  }

  get size(): number {
    return this.#mappings.length;
  }

  commandFor(image: string): ImageCommand | undefined {
    return this.#mappings.find(({ expression }) => expression.test(image))?.mapping;
  }
}
