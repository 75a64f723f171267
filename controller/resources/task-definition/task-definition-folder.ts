import type { KindFolder } from "../kind-folder.ts";
import { taskDefinitionDestroy } from "./task-definition-destroy.ts";
import { staleRevisionsKind, taskDefinitionKind } from "./task-definition-kind.ts";
import { taskDefinitionsObservation } from "./task-definition-observation.ts";

const observe = [taskDefinitionsObservation] as const;

export const taskDefinitionFolder: KindFolder<typeof observe> = {
  observe,
  kinds: [taskDefinitionKind],
  cleanup: [staleRevisionsKind],
  destroy: [taskDefinitionDestroy],
};
