/** `--prune`: when a spec file is deleted, destroy what its service owned, as `destroy --yes` would. */
import type { LoadedSpec } from "../../specs/index.ts";
import type { AwsClients } from "../aws/clients.ts";
import { applyPlan, planDestroy } from "../engine/reconcile.ts";
import type { Logger } from "./logger.ts";

const PRUNE_TIMEOUT_MS = 15 * 60_000;

export async function destroyService(clients: AwsClients, loaded: LoadedSpec, log: Logger): Promise<void> {
  const plan = await planDestroy(clients, loaded.spec, { keepLogs: false, timeoutMs: PRUNE_TIMEOUT_MS });
  await applyPlan(plan, (event) => {
    const { resource, name } = event.change;
    if (event.phase === "waiting") log.info({ resource, name, reason: event.reason }, "waiting");
    else log.warn({ resource, name }, event.phase === "start" ? "deleting" : "deleted");
  });
  log.warn("pruned: every resource the service owned is gone");
}
