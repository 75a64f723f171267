import type { KindFolder } from "../kind-folder.ts";
import { listenerDestroy } from "./listener-destroy.ts";
import { listenerKind } from "./listener-kind.ts";
import { listenersObservation, rulesObservation } from "./listener-observation.ts";

const observe = [listenersObservation, rulesObservation] as const;

export const listenerFolder: KindFolder<typeof observe> = {
  observe,
  kinds: [listenerKind],
  destroy: [listenerDestroy],
};
