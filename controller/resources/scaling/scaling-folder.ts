import type { KindFolder } from "../kind-folder.ts";
import { scalingDestroy } from "./scaling-destroy.ts";
import { scalingKind } from "./scaling-kind.ts";
import { scalingObservation } from "./scaling-observation.ts";

const observe = [scalingObservation] as const;

export const scalingFolder: KindFolder<typeof observe> = {
  observe,
  kinds: [scalingKind],
  destroy: [scalingDestroy],
};
