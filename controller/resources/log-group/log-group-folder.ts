import type { KindFolder } from "../kind-folder.ts";
import { logGroupDestroy } from "./log-group-destroy.ts";
import { logGroupKind } from "./log-group-kind.ts";
import { logGroupObservation } from "./log-group-observation.ts";

const observe = [logGroupObservation] as const;

export const logGroupFolder: KindFolder<typeof observe> = {
  observe,
  kinds: [logGroupKind],
  destroy: [logGroupDestroy],
};
