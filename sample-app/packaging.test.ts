// Static checks of the image recipe; test/docker-images.test.ts replays its build and starts the result.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const read = (name: string) => readFileSync(new URL(name, import.meta.url), "utf8");

describe("sample-app packaging", () => {
  it("runs as a standalone ES module package", () => {
    expect(JSON.parse(read("package.json"))).toEqual({
      name: "ecs-converge-sample-app",
      private: true,
      type: "module",
      scripts: { start: "node server.ts" },
    });
  });
});
