/**
 * Requests forwarded and not finished yet, by the target they went to: the draining state needs them
 * (a target's in-flight requests finish while it drains, and are cut when its deregistration delay is
 * over and it is gone from its group).
 */
import type { ForwardedRequest } from "./forward-request.ts";

export interface InFlightTarget {
  region: string;
  targetGroupArn: string;
  /** `{id}:{port}`, the target's key in its group. */
  targetKey: string;
}

const keyOf = (target: InFlightTarget) => `${target.region}|${target.targetGroupArn}|${target.targetKey}`;

export class InFlightRequests {
  readonly #byTarget = new Map<string, { target: InFlightTarget; requests: Set<ForwardedRequest> }>();

  track(target: InFlightTarget, forwarded: ForwardedRequest): void {
    const key = keyOf(target);
    let entry = this.#byTarget.get(key);
    if (!entry) {
      entry = { target, requests: new Set() };
      this.#byTarget.set(key, entry);
    }
    const { requests } = entry;
    requests.add(forwarded);
    void forwarded.done.then(() => {
      requests.delete(forwarded);
      if (requests.size === 0 && this.#byTarget.get(key)?.requests === requests) this.#byTarget.delete(key);
    });
  }

  /** How many requests to the target are in flight. */
  countFor(target: InFlightTarget): number {
    return this.#byTarget.get(keyOf(target))?.requests.size ?? 0;
  }

  /** Cuts off the requests to every target `isGone` says no longer exists. */
  abortGone(isGone: (target: InFlightTarget) => boolean, reason: string): void {
    for (const { target, requests } of this.#byTarget.values()) {
      if (!isGone(target)) continue;
      for (const request of requests) request.abort(reason);
    }
  }
}
