/** How long ELBv2's lifecycles take, in simulated milliseconds. */

export interface Elbv2Timings {
  /** From CreateLoadBalancer to `active`: AWS takes minutes (its SDK waiter polls for up to ten). */
  loadBalancerProvisioningMs: number;
}

export const DEFAULT_ELBV2_TIMINGS: Elbv2Timings = {
  loadBalancerProvisioningMs: 120_000,
};
