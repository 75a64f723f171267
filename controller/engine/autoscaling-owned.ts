/**
 * Fields the spec sets but autoscaling owns. With autoscaling, the service's desiredCount is Application
 * Auto Scaling's to move within [minTasks, maxTasks]: the spec's desiredCount is used only when the
 * service is created. An edit of it plans nothing, so plan and the daemon say why instead of staying silent.
 */
import type { ServiceSpec } from "../../specs/index.ts";
import type { ObservedService } from "../resources/service/service.ts";

/** A spec value not applied because autoscaling owns the field. */
export interface AutoscalingOwnedField {
  /** The spec field, as validate names it. */
  path: string;
  /** The value the spec asks for. */
  specValue: number;
  /** The value the service has, autoscaling's. */
  observed: number;
  within: [min: number, max: number];
  /** One line: what, and how to change it. */
  message: string;
}

/** The spec's desiredCount when autoscaling owns it and the service runs another count; else undefined. */
export function desiredCountOwnedByAutoscaling(
  document: ServiceSpec,
  observed: Pick<ObservedService, "desiredCount"> | undefined,
): AutoscalingOwnedField | undefined {
  const scaling = document.spec.autoscaling;
  const specValue = document.spec.service.desiredCount;
  if (!scaling || !observed || observed.desiredCount === specValue) return undefined;
  const within: [number, number] = [scaling.minTasks, scaling.maxTasks];
  return {
    path: "spec.service.desiredCount",
    specValue,
    observed: observed.desiredCount,
    within,
    message:
      `desiredCount is managed by autoscaling within [${within[0]}, ${within[1]}]: the service has ${observed.desiredCount}, ` +
      `the spec's ${specValue} is used only when the service is created; change autoscaling.minTasks or maxTasks to change the count`,
  };
}
