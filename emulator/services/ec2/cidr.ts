/** IPv4 addresses and CIDR blocks as numbers, and the IPv6 checks security group rules need. */
import { isIPv6 } from "node:net";

export interface Ipv4Block {
  /** The network address as an unsigned 32-bit number. */
  network: number;
  prefixLength: number;
}

const OCTETS = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** `10.0.1.2` → its unsigned 32-bit value; undefined unless four decimal octets of 0–255. */
export function parseIpv4(text: string): number | undefined {
  const match = OCTETS.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1).map(Number);
  if (octets.some((octet) => octet > 255)) return undefined;
  return octets.reduce((value, octet) => value * 256 + octet, 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join(".");
}

function maskOf(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/**
 * `10.0.1.7/24` → `{ network: 10.0.1.0, prefixLength: 24 }`. Host bits are cleared, as AWS does when it
 * stores a rule's CIDR; undefined for anything that is not `address/length`.
 */
export function parseIpv4Block(text: string): Ipv4Block | undefined {
  const [address, length, ...rest] = text.split("/");
  if (address === undefined || length === undefined || rest.length > 0 || !/^\d{1,2}$/.test(length))
    return undefined;
  const value = parseIpv4(address);
  const prefixLength = Number(length);
  if (value === undefined || prefixLength > 32) return undefined;
  return { network: (value & maskOf(prefixLength)) >>> 0, prefixLength };
}

export function formatIpv4Block(block: Ipv4Block): string {
  return `${formatIpv4(block.network)}/${block.prefixLength}`;
}

/** How many addresses the block spans. */
export function blockSize(block: Ipv4Block): number {
  return 2 ** (32 - block.prefixLength);
}

export function blockContains(outer: Ipv4Block, inner: Ipv4Block): boolean {
  return (
    inner.prefixLength >= outer.prefixLength &&
    (inner.network & maskOf(outer.prefixLength)) >>> 0 === outer.network
  );
}

export function blocksOverlap(a: Ipv4Block, b: Ipv4Block): boolean {
  return blockContains(a, b) || blockContains(b, a);
}

/** `2001:DB8::/32` → `2001:db8::/32`; undefined unless an IPv6 address and a length of 0–128. */
export function normaliseIpv6Block(text: string): string | undefined {
  const [address, length, ...rest] = text.split("/");
  if (address === undefined || length === undefined || rest.length > 0 || !/^\d{1,3}$/.test(length))
    return undefined;
  if (!isIPv6(address) || Number(length) > 128) return undefined;
  return `${address.toLowerCase()}/${Number(length)}`;
}
