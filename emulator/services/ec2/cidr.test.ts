import { describe, expect, it } from "vitest";
import { blockContains, blocksOverlap, formatIpv4Block, normaliseIpv6Block, parseIpv4Block } from "./cidr.ts";

const block = (text: string) => {
  const parsed = parseIpv4Block(text);
  if (!parsed) throw new Error(`not a block: ${text}`);
  return parsed;
};

describe("IPv4 blocks", () => {
  it.each([
    ["0.0.0.0/0", "0.0.0.0/0", "the whole internet"],
    ["10.0.0.7/8", "10.0.0.0/8", "host bits are cleared, as AWS stores a rule's CIDR"],
    ["192.0.2.1/32", "192.0.2.1/32", "a single address keeps every bit"],
    ["255.255.255.255/31", "255.255.255.254/31", "unsigned arithmetic at the top of the range"],
  ])("%s reads as %s (%s)", (text, expected) => {
    expect(formatIpv4Block(block(text))).toBe(expected);
  });

  it.each([
    ["10.0.0.0", "no prefix length"],
    ["10.0.0.0/33", "prefix length beyond 32"],
    ["10.0.0.256/24", "an octet beyond 255"],
    ["10.0.0/24", "three octets"],
    ["10.0.0.0/24/1", "two slashes"],
  ])("refuses %s (%s)", (text) => {
    expect(parseIpv4Block(text)).toBeUndefined();
  });

  it("knows containment and overlap", () => {
    expect(blockContains(block("10.0.0.0/16"), block("10.0.3.0/24"))).toBe(true);
    expect(blockContains(block("10.0.0.0/16"), block("10.1.0.0/24"))).toBe(false);
    expect(blocksOverlap(block("10.0.0.0/24"), block("10.0.0.128/25"))).toBe(true);
    expect(blocksOverlap(block("10.0.0.0/25"), block("10.0.0.128/25"))).toBe(false);
  });
});

describe("IPv6 blocks", () => {
  it("lower-cases valid blocks and refuses invalid ones", () => {
    expect(normaliseIpv6Block("2001:DB8::/32")).toBe("2001:db8::/32");
    expect(normaliseIpv6Block("::/0")).toBe("::/0");
    expect(normaliseIpv6Block("::/129")).toBeUndefined();
    expect(normaliseIpv6Block("10.0.0.0/8")).toBeUndefined();
  });
});
