/**
 * The seam between the lease logic (lease-coordinator.ts) and where leases live. A store offers
 * exactly the primitives a compare-and-swap register gives: list every lease, and create, renew,
 * take, release or delete one on the condition that nobody changed it since it was read. Every change
 * bumps the lease's counter, which is all another replica compares: no timestamps cross machines.
 *
 * DynamoDB (dynamodb-lease-store.ts) implements it with conditional writes. A Kubernetes backend
 * would implement the same interface over `coordination.k8s.io/v1` Lease objects: `list` is a list of
 * Leases by label, the counter is the object's `resourceVersion` (an update with a stale one fails with
 * 409 Conflict, the same compare-and-swap), the owner is `spec.holderIdentity`, and `create` is a create
 * that fails with 409 AlreadyExists. Nothing else would change.
 */

/** One lease as read: who holds it (undefined: free) and its counter, bumped by every change. */
export interface Lease {
  key: string;
  owner: string | undefined;
  counter: number;
}

/** A conditional write lost: someone changed the lease since it was read. */
export class LeaseConflictError extends Error {
  constructor(key: string) {
    super(`lease ${key} changed since it was read`);
    this.name = "LeaseConflictError";
  }
}

export interface LeaseStore {
  /** Where the leases live, for logs and `/status` (`dynamodb:us-east-1/ecs-converge-leases`). */
  readonly description: string;
  /** Creates the store if it does not exist (and waits until it can be used). */
  ensureReady(): Promise<void>;
  /** Every lease, read consistently. */
  list(): Promise<Lease[]>;
  /** A new lease held by `owner`; LeaseConflictError when it exists already. */
  create(key: string, owner: string): Promise<Lease>;
  /** Sets the owner (a renewal keeps it, a take or a release changes it) and bumps the counter, if unchanged since `seen`. */
  write(seen: Lease, owner: string | undefined): Promise<Lease>;
  /** Deletes a lease, if unchanged since `seen`. */
  remove(seen: Lease): Promise<void>;
}
