import type { KindFolder } from "../kind-folder.ts";
import { serviceDestroy } from "./service-destroy.ts";
import { serviceKind } from "./service-kind.ts";
import { previousServiceKind, serviceClusterRecordKind } from "./service-move.ts";
import { previousServiceObservation, serviceObservation } from "./service-observation.ts";

const observe = [serviceObservation, previousServiceObservation] as const;

export const serviceFolder: KindFolder<typeof observe> = {
  observe,
  kinds: [serviceKind],
  // A service moved to another cluster: the old one goes once the new one serves.
  cleanup: [previousServiceKind, serviceClusterRecordKind],
  destroy: [serviceDestroy],
};
