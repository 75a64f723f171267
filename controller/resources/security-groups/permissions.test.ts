import { describe, expect, it } from "vitest";
import { flattenPermissions, permissionChanges, permissionKeys, toIpPermission } from "./permissions.ts";

describe("security group permissions", () => {
  it("flattens every kind of source, prefix lists included, and round-trips each", () => {
    const flat = flattenPermissions([
      {
        IpProtocol: "tcp",
        FromPort: 3000,
        ToPort: 3000,
        IpRanges: [{ CidrIp: "0.0.0.0/0" }],
        Ipv6Ranges: [{ CidrIpv6: "::/0" }],
        UserIdGroupPairs: [{ GroupId: "sg-0123456789abcdef0" }],
        PrefixListIds: [{ PrefixListId: "pl-0abc" }],
      },
    ]);
    expect(permissionKeys(flat)).toEqual([
      "tcp 3000 from 0.0.0.0/0",
      "tcp 3000 from ::/0",
      "tcp 3000 from pl-0abc",
      "tcp 3000 from sg-0123456789abcdef0",
    ]);
    expect(flattenPermissions(flat.map(toIpPermission))).toEqual(flat);
  });

  it("revokes what the desired set lacks and authorizes what it adds", () => {
    const desired = flattenPermissions([
      { IpProtocol: "tcp", FromPort: 3000, ToPort: 3000, UserIdGroupPairs: [{ GroupId: "sg-alb" }] },
    ]);
    const observed = flattenPermissions([
      {
        IpProtocol: "tcp",
        FromPort: 3000,
        ToPort: 3000,
        UserIdGroupPairs: [{ GroupId: "sg-alb" }],
        PrefixListIds: [{ PrefixListId: "pl-0abc" }],
      },
    ]);
    const { authorize, revoke } = permissionChanges(desired, observed);
    expect(authorize).toEqual([]);
    expect(permissionKeys(revoke)).toEqual(["tcp 3000 from pl-0abc"]);
  });
});
