import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CliError } from "./cli-error.ts";
import { emulatorImagesFrom } from "./emulator-images.ts";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function imagesFile(text: string): string {
  const folder = mkdtempSync(join(tmpdir(), "emulator-images-"));
  folders.push(folder);
  const path = join(folder, "images.json");
  writeFileSync(path, text);
  return path;
}

describe("emulatorImagesFrom", () => {
  it("reads the file's mappings first, then each --run-image", () => {
    const images = imagesFile('{ "*/sample-app:*": "node sample-app/server.ts" }');
    expect(emulatorImagesFrom({ images, runImage: ["web:*=node -e 1"] })).toEqual([
      { pattern: "*/sample-app:*", command: ["node", "sample-app/server.ts"] },
      { pattern: "web:*", command: ["node", "-e", "1"] },
    ]);
    expect(emulatorImagesFrom({})).toEqual([]);
  });

  it.each([
    [
      "a flag without a command",
      () => ({ runImage: ["web:1"] }),
      /--run-image web:1: expected <image-pattern>=<command>/,
    ],
    ["a file that is not JSON", () => ({ images: imagesFile("{") }), /--images .*images\.json: /],
    [
      "a file of the wrong shape",
      () => ({ images: imagesFile('["node"]') }),
      /--images .*: expected an object/,
    ],
    [
      "a missing file",
      () => ({ images: "/nonexistent/images.json" }),
      /--images .*: cannot read it \(ENOENT\)/,
    ],
  ])("names the flag for %s", (_case, flags, message) => {
    const options = flags();
    expect(() => emulatorImagesFrom(options)).toThrow(CliError);
    expect(() => emulatorImagesFrom(options)).toThrow(message);
  });
});
