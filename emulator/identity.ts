/** The emulator's fixed account, and the shapes of ids and ARNs, like AWS's. */
import type { Random } from "./random.ts";

export const ACCOUNT_ID = "000000000000";
export const DEFAULT_REGION = "us-east-1";

/** `arn:aws:{service}:{region}:{account}:{resource}` */
export function arn(service: string, region: string, resource: string): string {
  return `arn:aws:${service}:${region}:${ACCOUNT_ID}:${resource}`;
}

/** An EC2-style id: `sg-` + 17 hex characters. */
export function ec2Id(prefix: string, random: Random): string {
  return `${prefix}-${random.hex(17)}`;
}

/** A request id shaped like AWS's (a UUID). */
export function requestId(random: Random): string {
  const hex = random.hex(32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
