/**
 * Runs passes the way the daemon does until the plan has nothing left: no change and no step waiting
 * for AWS (a replaced target group takes several passes, each waiting for a rollout or for health).
 */
import type { AwsClients } from "../../controller/aws/clients.ts";
import { hasChanges } from "../../controller/engine/plan.ts";
import { applyPlan, planService, type ServicePlan } from "../../controller/engine/reconcile.ts";
import type { ServiceSpec } from "../../specs/index.ts";
import { DEFAULT_DEADLINE_MS, waitFor } from "./wait-for.ts";

export interface ConvergeOptions {
  /** Called after every pass that changed something, with its plan. */
  afterPass?: (plan: ServicePlan) => void | Promise<void>;
  /** Called on every poll, applied or not: where a test samples the world between passes. */
  onPoll?: () => void | Promise<void>;
  deadlineMs?: number;
}

/** Plans and applies until converged; returns the plans that changed something, in order. */
export async function convergeThroughPasses(
  clients: AwsClients,
  document: ServiceSpec,
  options: ConvergeOptions = {},
): Promise<ServicePlan[]> {
  const applied: ServicePlan[] = [];
  await waitFor(
    `service ${document.metadata.name} to converge`,
    async () => {
      await options.onPoll?.();
      const plan = await planService(clients, document);
      if (!hasChanges(plan.changes)) return plan.waiting.length === 0 ? true : undefined;
      await applyPlan(plan, () => {});
      applied.push(plan);
      await options.afterPass?.(plan);
      return undefined;
    },
    options.deadlineMs ?? DEFAULT_DEADLINE_MS,
  );
  return applied;
}
