/** Every API call the emulator served: benchmarks count AWS calls per pass from it, tests read it for the IAM policy. */
import type { ResourceAtCall } from "./call-resources.ts";

export type { ResourceAtCall } from "./call-resources.ts";

export interface CallRecord {
  /** Simulated epoch milliseconds. */
  time: number;
  region: string;
  /** Who called: the access key id of the request's credential scope. */
  accessKeyId?: string;
  service: string;
  operation: string;
  /** The IAM action the call needs, e.g. `elasticloadbalancing:CreateTargetGroup`. */
  action: string;
  /** The AWS error code, when the call failed. */
  error?: string;
  /**
   * What IAM authorizes the call against: each resource's ARN and its tags when the call arrived
   * (`created` for what the call made). Absent for calls on no particular resource (Describe, List).
   */
  resources?: ResourceAtCall[];
  /** The tags the request writes (a create's tags, or a tagging call's). */
  requestTags?: Record<string, string>;
  /** IAM roles the request hands to a service (a task definition's roles). */
  passedRoles?: string[];
}

export class CallLog {
  #records: CallRecord[] = [];

  record(call: CallRecord): void {
    this.#records.push(call);
  }

  /** Every call since the last reset, oldest first. */
  calls(): readonly CallRecord[] {
    return this.#records;
  }

  /** `{ "ecs:DescribeServices": 3, … }` */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const call of this.#records) {
      const key = `${call.service}:${call.operation}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  reset(): void {
    this.#records = [];
  }
}
