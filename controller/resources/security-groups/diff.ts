/** Compares a desired security group with the one AWS has. */
import { diffFields } from "../../engine/field-diff.ts";
import { absent, present, type ResourceDiff } from "../../engine/resource-diff.ts";
import type { DesiredSecurityGroup } from "./desired.ts";
import type { ObservedSecurityGroup } from "./observe.ts";
import { permissionKeys } from "./permissions.ts";

/** The comparable form: rules as sorted keys, only the tags the spec sets. */
function comparable(
  group: {
    ingress: DesiredSecurityGroup["ingress"];
    egress: DesiredSecurityGroup["egress"];
    tags: Record<string, string>;
  },
  tagKeys: string[],
) {
  return {
    ingress: permissionKeys(group.ingress),
    egress: permissionKeys(group.egress),
    tags: Object.fromEntries(tagKeys.map((key) => [key, group.tags[key]])),
  };
}

export function diffSecurityGroup(
  desired: DesiredSecurityGroup,
  observed: ObservedSecurityGroup | undefined,
): ResourceDiff {
  const tagKeys = Object.keys(desired.tags);
  if (!observed)
    return absent(
      diffFields(
        { description: desired.description, vpcId: desired.vpcId, ...comparable(desired, tagKeys) },
        {},
      ),
    );
  const immutable = diffFields({ description: desired.description, vpcId: desired.vpcId }, observed);
  const fields = [...immutable, ...diffFields(comparable(desired, tagKeys), comparable(observed, tagKeys))];
  return present(fields, immutable[0]?.path);
}
