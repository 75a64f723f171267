/** The log group on destroy: ours goes unless the logs are kept or the service, which writes to it, stays. */
import { notOursReason } from "../../engine/ownership-check.ts";
import { deletion, type KindDestroy, type KindRemoval } from "../kind-destroy.ts";
import { usedByKeptService } from "../service/service-destroy.ts";
import { deleteLogGroup } from "./log-group.ts";

export const logGroupDestroy: KindDestroy = {
  id: "logGroup",
  after: ["service"],
  plan(scope) {
    const removal: KindRemoval = { deletions: [], skipped: [] };
    const { logGroup } = scope.observation;
    if (!logGroup) return removal;
    const kept = logGroup.ownership !== "ours" ? notOursReason(logGroup) : usedByKeptService(scope);
    if (kept) removal.skipped.push({ resource: "LogGroup", name: logGroup.name, reason: kept });
    else if (!scope.options.keepLogs)
      removal.deletions.push({
        change: deletion("LogGroup", logGroup.name),
        run: () => deleteLogGroup(scope.context.clients, logGroup.name),
      });
    return removal;
  },
};
