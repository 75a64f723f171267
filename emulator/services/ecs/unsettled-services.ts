/**
 * The services the scheduler visits on every tick until they settle: ACTIVE ones that are not steady
 * (being created, scaled, deployed, or unable to get there) and DRAINING ones on their way to INACTIVE.
 * A steady service is visited only on a tick when one of its tasks moved; a pass over it otherwise
 * changes nothing. Whatever unsettles a service (CreateService, UpdateService, DeleteService, a desired
 * count set by Application Auto Scaling) says so here; the lifecycle drops a service once it is steady
 * or INACTIVE, and a deployment the scheduler itself starts (a rollback) happens during a visit.
 */
import type { EcsState, Service } from "./state.ts";

/** The service needs the scheduler from the next tick on. */
export function unsettle(state: EcsState, service: Service): void {
  state.unsettledServices.add(service);
}

/** Whether the lifecycle must keep visiting the service on every tick. */
export const isUnsettled = (service: Service) =>
  (service.status === "ACTIVE" && !service.steady) || service.status === "DRAINING";
