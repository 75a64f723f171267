/** How one resource compares with its desired state, and the plan change that follows. */
import type { Change, FieldDiff, ResourceKind } from "./plan.ts";

export interface ResourceDiff {
  exists: boolean;
  upToDate: boolean;
  /** Set when a field AWS cannot change differs: the resource must be replaced. */
  replaceBecause?: string;
  fields: FieldDiff[];
}

/** A resource that is absent: everything it will have is new. */
export const absent = (fields: FieldDiff[]): ResourceDiff => ({ exists: false, upToDate: false, fields });

/** A resource that exists; up to date when no field differs. */
export function present(fields: FieldDiff[], replaceBecause?: string): ResourceDiff {
  return {
    exists: true,
    upToDate: fields.length === 0,
    fields,
    ...(replaceBecause ? { replaceBecause } : {}),
  };
}

/** The plan line for a resource that should exist. */
export function changeFor(resource: ResourceKind, name: string, diff: ResourceDiff): Change {
  if (!diff.exists) return { action: "create", resource, name, diff: diff.fields };
  if (diff.replaceBecause)
    return {
      action: "replace",
      resource,
      name,
      reason: `${diff.replaceBecause} is immutable`,
      diff: diff.fields,
    };
  return { action: diff.upToDate ? "noop" : "update", resource, name, diff: diff.fields };
}
