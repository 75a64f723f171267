/** The listener that serves the spec, and how a listener is named in plans. */
import type { PassScope } from "../kind-contract.ts";
import { listenerServingSpec, type ObservedListener } from "./listener.ts";

/** A listener's name in plans: the service and its port. */
export const listenerName = (service: string, listener: { port: number }) => `${service}:${listener.port}`;

/** Our listeners on the load balancer, whatever their port. */
export const ownedListeners = ({ observation }: PassScope): ObservedListener[] =>
  observation.listeners.filter((listener) => listener.ownership === "ours");

/**
 * A decision (see PassScope.decide): the listener serving the spec. One of ours (moved to the port
 * if need be), else one on the spec's port that is claimed: adoptable, or a conflict.
 */
export function claimedListener(scope: PassScope): ObservedListener | undefined {
  const { claims, observation, context } = scope;
  const port = context.document.spec.loadBalancer.listenerPort;
  return (
    listenerServingSpec(scope.decide(ownedListeners), port) ??
    claims.claim(
      observation.listeners.find((candidate) => candidate.port === port),
      "Listener",
      listenerName(context.document.metadata.name, { port }),
      (found) => found.arn,
    )
  );
}
