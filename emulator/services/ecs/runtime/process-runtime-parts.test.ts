/** The process runtime's small parts: image patterns, the health-check matcher, where a task listens. */
import { describe, expect, it } from "vitest";
import { matchesHttpCodes } from "./health-probe.ts";
import { ImageCommands, parseImageFlag, parseImagesDocument } from "./image-commands.ts";
import { AddressBook } from "./task-addresses.ts";

describe("image commands", () => {
  it("maps images by pattern, first match wins, and splits flag commands on whitespace", () => {
    const commands = new ImageCommands([
      parseImageFlag("*/sample-app:*=node sample-app/server.ts"),
      ...parseImagesDocument({ "web:1": ["node", "-e", "console.log(1)"] }),
    ]);
    expect(
      commands.commandFor("000000000000.dkr.ecr.us-east-1.amazonaws.com/sample-app:1.0.0")?.command,
    ).toEqual(["node", "sample-app/server.ts"]);
    expect(commands.commandFor("web:1")?.command).toEqual(["node", "-e", "console.log(1)"]);
    // `.` is literal, `*` any run: a pattern is not a regular expression.
    expect(commands.commandFor("webX1")).toBeUndefined();
    expect(commands.commandFor("nginx:latest")).toBeUndefined();
  });

  it("refuses a flag without a command and a file that is not a map of commands", () => {
    expect(() => parseImageFlag("sample-app:1")).toThrow(/pattern>=<command/);
    expect(() => parseImageFlag("sample-app:1=")).toThrow(/non-empty arguments/);
    expect(() => parseImagesDocument(["node"])).toThrow(/expected an object/);
    expect(() => parseImagesDocument({ "a:1": 3 })).toThrow(/string or an array/);
  });
});

describe("matchesHttpCodes", () => {
  it.each([
    [200, "200", true],
    [204, "200", false],
    [204, "200-299", true],
    [300, "200-299", false],
    [202, "200,202", true],
    [201, "200,202", false],
    [404, "200-299,404", true],
  ])("%i against %s → %s", (status, codes, expected) => {
    expect(matchesHttpCodes(status, codes)).toBe(expected);
  });
});

describe("AddressBook", () => {
  it("serves a task on its own loopback IP on Linux, and remaps a taken IP and port to 127.0.0.1", async () => {
    const book = new AddressBook();
    const own = await book.reserve("us-east-1", "127.31.4.7", 3000);
    if (process.platform === "linux") expect(own).toEqual({ host: "127.31.4.7", port: 3000 });
    // Another region's default VPC has the same CIDR: the same IP and port cannot be bound twice.
    const other = await book.reserve("eu-west-1", "127.31.4.7", 3000);
    expect(other.host).toBe("127.0.0.1");
    expect(other.port).toBeGreaterThan(0);
    expect(book.addressOf("eu-west-1", "127.31.4.7", 3000)).toEqual(other);
    // An IP outside 127/8 cannot be bound here at all.
    expect((await book.reserve("us-east-1", "172.31.0.9", 3000)).host).toBe("127.0.0.1");
    book.release("eu-west-1", "127.31.4.7", 3000);
    expect(book.addressOf("eu-west-1", "127.31.4.7", 3000)).toEqual({ host: "127.31.4.7", port: 3000 });
  });
});
