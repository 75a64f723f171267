/**
 * `--run-image <pattern>=<command>` (repeatable) and `--images <file.json>`: which images the built-in
 * emulator runs as local processes (`emulator` and `run --emulator`). Problems are CliErrors naming the flag.
 */
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import {
  type ImageCommand,
  parseImageFlag,
  parseImagesDocument,
} from "../../emulator/services/ecs/runtime/image-commands.ts";
import { CliError } from "./cli-error.ts";

export interface EmulatorImageOptions {
  runImage?: string[];
  images?: string;
}

/** An images file is a handful of lines: anything larger is not one. */
const MAX_IMAGES_FILE_BYTES = 64 * 1024;

/** Commander's collector for a repeatable option. */
export const collectRepeated = (value: string, previous: string[] | undefined) => [
  ...(previous ?? []),
  value,
];

function fromFile(path: string): ImageCommand[] {
  let text: string;
  try {
    if (statSync(path).size > MAX_IMAGES_FILE_BYTES)
      throw new CliError(`--images ${path}: larger than ${MAX_IMAGES_FILE_BYTES / 1024} KiB`);
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(
      `--images ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  try {
    return parseImagesDocument(JSON.parse(text));
  } catch (error) {
    throw new CliError(`--images ${path}: ${(error as Error).message}`, {
      hint: 'write { "<image pattern>": "<command>" }, e.g. { "*/sample-app:*": "node sample-app/server.ts" }',
    });
  }
}

/** The image mappings the flags ask for (the file's first, then each `--run-image`). */
export function emulatorImagesFrom(options: EmulatorImageOptions): ImageCommand[] {
  const mappings = options.images === undefined ? [] : fromFile(resolve(options.images));
  for (const flag of options.runImage ?? []) {
    try {
      mappings.push(parseImageFlag(flag));
    } catch (error) {
      throw new CliError(`--run-image ${flag}: ${(error as Error).message}`, {
        hint: "e.g. --run-image '*/sample-app:*=node sample-app/server.ts'",
      });
    }
  }
  return mappings;
}
