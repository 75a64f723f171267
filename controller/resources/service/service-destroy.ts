/**
 * The service on destroy: scaled to zero, deleted and drained. Deleting it would also remove its
 * scalable target, so a target left in place keeps it; and a service left in place keeps everything
 * of ours it runs on (listeners, target groups, load balancer, groups, log group, its revision).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { StackContext } from "../../engine/context.ts";
import { notOursReason } from "../../engine/ownership-check.ts";
import { type DestroyScope, deletion, type KindDestroy, type KindRemoval } from "../kind-destroy.ts";
import { scalingResourceId } from "../scaling/scaling.ts";
import { scalingRemoval } from "../scaling/scaling-destroy.ts";
import { deleteService, describeServiceNamed } from "./service.ts";

/** Polls until ECS reports the service INACTIVE (or gone). */
async function waitUntilInactive(context: StackContext, timeoutMs: number): Promise<void> {
  const { clients, document } = context;
  const deadline = Date.now() + timeoutMs;
  while (await describeServiceNamed(clients, document.spec.cluster, document.metadata.name)) {
    if (Date.now() > deadline)
      throw new Error(`service ${document.metadata.name} is still draining after ${timeoutMs / 1000} s`);
    await sleep(1000);
  }
}

/** Why the service stays, or undefined when it goes. */
function serviceKeptBecause(scope: DestroyScope): string | undefined {
  const { context, observation } = scope;
  const { document } = context;
  const found = observation.service;
  if (!found) return undefined;
  if (found.ownership !== "ours") return notOursReason(found);
  if (scope.decide(scalingRemoval).targetKept)
    return `deleting it would remove scalable target ${scalingResourceId(document.spec.cluster, document.metadata.name)}, which is left in place`;
  return undefined;
}

/** A decision (see DestroyScope.decide): whether the service goes, and how. */
export function serviceRemoval(scope: DestroyScope): KindRemoval & { kept: boolean } {
  const { context, observation, options } = scope;
  const service = context.document.metadata.name;
  const found = observation.service;
  const kept = serviceKeptBecause(scope);
  if (!found) return { deletions: [], skipped: [], kept: false };
  if (kept)
    return { deletions: [], skipped: [{ resource: "Service", name: service, reason: kept }], kept: true };
  return {
    deletions: [
      {
        change: deletion("Service", service, "scaled to 0, deleted and drained"),
        run: async () => {
          await deleteService(context.clients, found.cluster, service);
          await waitUntilInactive(context, options.timeoutMs);
        },
      },
    ],
    skipped: [],
    kept: false,
  };
}

/** Why something of ours the service runs on stays: the service stays. Undefined when it goes. */
export const usedByKeptService = (scope: DestroyScope): string | undefined =>
  scope.decide(serviceRemoval).kept
    ? `used by service ${scope.context.document.metadata.name}, which is left in place`
    : undefined;

export const serviceDestroy: KindDestroy = {
  id: "service",
  after: ["scaling"],
  plan: (scope) => scope.decide(serviceRemoval),
};
