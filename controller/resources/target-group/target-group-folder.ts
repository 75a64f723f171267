import type { KindFolder } from "../kind-folder.ts";
import { targetGroupDestroy } from "./target-group-destroy.ts";
import { retiredTargetGroupsKind, targetGroupKind } from "./target-group-kind.ts";
import { desiredGroupHealthObservation, targetGroupsObservation } from "./target-group-observation.ts";

const observe = [targetGroupsObservation, desiredGroupHealthObservation] as const;

export const targetGroupFolder: KindFolder<typeof observe> = {
  observe,
  kinds: [targetGroupKind],
  cleanup: [retiredTargetGroupsKind],
  destroy: [targetGroupDestroy],
};
