import type { KindFolder } from "../kind-folder.ts";
import { clusterDestroy } from "./cluster-destroy.ts";
import { clusterKind } from "./cluster-kind.ts";
import { clusterObservation } from "./cluster-observation.ts";

const observe = [clusterObservation] as const;

export const clusterFolder: KindFolder<typeof observe> = {
  observe,
  kinds: [clusterKind],
  destroy: [clusterDestroy],
};
