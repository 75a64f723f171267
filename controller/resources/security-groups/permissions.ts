/**
 * Security group rules as a flat set of single-source permissions, so the desired and observed sides
 * compare as sets whatever way AWS grouped them (it merges sources of one protocol and port range).
 */
import type { IpPermission } from "@aws-sdk/client-ec2";

export interface Permission {
  /** `tcp`, `udp`, `icmp` or `-1` (all). */
  protocol: string;
  fromPort?: number;
  toPort?: number;
  source: { cidr: string } | { cidrV6: string } | { groupId: string } | { prefixListId: string };
}

/** A stable, readable key: `tcp 3000 from sg-123`, `all from 0.0.0.0/0`. */
export function permissionKey(permission: Permission): string {
  const { protocol, fromPort, toPort, source } = permission;
  const ports =
    protocol === "-1"
      ? "all"
      : fromPort === toPort
        ? `${protocol} ${fromPort}`
        : `${protocol} ${fromPort}-${toPort}`;
  const from =
    "cidr" in source
      ? source.cidr
      : "cidrV6" in source
        ? source.cidrV6
        : "groupId" in source
          ? source.groupId
          : source.prefixListId;
  return `${ports} from ${from}`;
}

/** AWS's grouped permissions → one Permission per source. */
export function flattenPermissions(permissions: readonly IpPermission[] = []): Permission[] {
  return permissions.flatMap((permission) => {
    const protocol = permission.IpProtocol ?? "-1";
    const ports = protocol === "-1" ? {} : { fromPort: permission.FromPort, toPort: permission.ToPort };
    return [
      ...(permission.IpRanges ?? []).map((range) => ({
        protocol,
        ...ports,
        source: { cidr: range.CidrIp ?? "" },
      })),
      ...(permission.Ipv6Ranges ?? []).map((range) => ({
        protocol,
        ...ports,
        source: { cidrV6: range.CidrIpv6 ?? "" },
      })),
      ...(permission.UserIdGroupPairs ?? []).map((pair) => ({
        protocol,
        ...ports,
        source: { groupId: pair.GroupId ?? "" },
      })),
      // Someone else's prefix-list rule is drift like any other: it must be seen to be revoked.
      ...(permission.PrefixListIds ?? []).map((prefixList) => ({
        protocol,
        ...ports,
        source: { prefixListId: prefixList.PrefixListId ?? "" },
      })),
    ];
  });
}

/** One Permission → the API's shape. */
export function toIpPermission(permission: Permission): IpPermission {
  const { protocol, fromPort, toPort, source } = permission;
  return {
    IpProtocol: protocol,
    ...(protocol === "-1" ? {} : { FromPort: fromPort, ToPort: toPort }),
    ...("cidr" in source ? { IpRanges: [{ CidrIp: source.cidr }] } : {}),
    ...("cidrV6" in source ? { Ipv6Ranges: [{ CidrIpv6: source.cidrV6 }] } : {}),
    ...("groupId" in source ? { UserIdGroupPairs: [{ GroupId: source.groupId }] } : {}),
    ...("prefixListId" in source ? { PrefixListIds: [{ PrefixListId: source.prefixListId }] } : {}),
  };
}

/** What to authorize and revoke to turn `observed` into `desired`. */
export function permissionChanges(desired: readonly Permission[], observed: readonly Permission[]) {
  const desiredKeys = new Set(desired.map(permissionKey));
  const observedKeys = new Set(observed.map(permissionKey));
  return {
    authorize: desired.filter((permission) => !observedKeys.has(permissionKey(permission))),
    revoke: observed.filter((permission) => !desiredKeys.has(permissionKey(permission))),
  };
}

/** Sorted keys: how rule sets appear in plans. */
export const permissionKeys = (permissions: readonly Permission[]): string[] =>
  permissions.map(permissionKey).sort();
