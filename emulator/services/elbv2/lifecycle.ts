/** ELBv2's lifecycle: load balancers finish provisioning, targets are health-checked and drained. */
import type { RegionState, World } from "../../world.ts";
import { servingChanged } from "./associations.ts";
import { runHealthChecks } from "./health-checks.ts";

/** Called once per tick per region, before the ECS scheduler (which reads target health). */
export function tickElbv2(region: RegionState, now: number, world: World): void {
  for (const loadBalancer of region.elbv2.loadBalancers.values()) {
    if (
      loadBalancer.state === "provisioning" &&
      now >= loadBalancer.createdAt + world.timings.loadBalancerProvisioningMs
    ) {
      loadBalancer.state = "active";
      // Its target groups start receiving traffic: their targets' states change.
      servingChanged(region.elbv2);
    }
  }
  runHealthChecks(region, now, world);
}
