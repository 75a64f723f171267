/**
 * The common case of the kind contract: one resource, created when absent and updated when it
 * differs, that AWS cannot replace in place (apply refuses a replace rather than delete what runs).
 */
import type { AwsClients } from "../aws/clients.ts";
import type { ResourceKind } from "../engine/plan.ts";
import type { Refs } from "../engine/refs.ts";
import { changeFor, type ResourceDiff } from "../engine/resource-diff.ts";
import { type KindContract, mutate, type PassScope, provide } from "./kind-contract.ts";

export interface SingleResource<Observed, Desired extends { name: string }> {
  id: string;
  dependsOn: readonly string[];
  resource: ResourceKind;
  /** How an error names it: "load balancer". */
  noun: string;
  claim(scope: PassScope): Observed | undefined;
  desired(refs: Refs, scope: PassScope): Desired;
  diff(desired: Desired, observed: Observed | undefined): ResourceDiff;
  /** Creates it, tags in the same call; resolves to its id or ARN when it provides a reference. */
  create(clients: AwsClients, desired: Desired): Promise<unknown>;
  update(clients: AwsClients, desired: Desired, observed: Observed): Promise<unknown>;
  /** The reference later kinds read: the found resource's id, or what create returned. */
  reference?: { key: keyof Refs; of: (observed: Observed) => string };
}

/** A kind for one resource that is created or updated, never replaced, by apply. */
export function singleResourceKind<Observed, Desired extends { name: string }>(
  resource: SingleResource<Observed, Desired>,
): KindContract<Observed | undefined> {
  const planned = (observed: Observed | undefined, refs: Refs, scope: PassScope) => {
    const desired = resource.desired(refs, scope);
    return { desired, change: changeFor(resource.resource, desired.name, resource.diff(desired, observed)) };
  };
  const { reference } = resource;
  return {
    id: resource.id,
    dependsOn: resource.dependsOn,
    claim: (scope) => resource.claim(scope),
    plan(observed, refs, scope) {
      const { change } = planned(observed, refs, scope);
      if (!reference) return { changes: [change] };
      const found = observed ? reference.of(observed) : undefined;
      return { changes: [change], provides: provide(reference.key, found, change.action === "create") };
    },
    async apply(observed, refs, scope, emit) {
      const { clients } = scope.context;
      const { desired, change } = planned(observed, refs, scope);
      if (change.action === "replace")
        throw new Error(
          `${resource.noun} ${desired.name}: ${change.reason}; delete it by hand or choose another service name`,
        );
      if (change.action === "create") {
        const created = await mutate(change, emit, () => resource.create(clients, desired));
        return reference ? { [reference.key]: typeof created === "string" ? created : undefined } : {};
      }
      if (observed && change.action === "update")
        await mutate(change, emit, () => resource.update(clients, desired, observed));
      return reference && observed ? { [reference.key]: reference.of(observed) } : {};
    },
  };
}
