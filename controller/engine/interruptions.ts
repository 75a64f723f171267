/**
 * Planned changes the load balancer cannot serve through without dropping requests. The controller
 * orders every change so that the listener's target group always has a healthy target (a replaced
 * target group moves across passes, a moved service goes once its successor is stable, ECS drains a
 * target before it stops its task); what is left here depends on the spec itself, so plan says it.
 */
import type { ServiceSpec } from "../../specs/index.ts";
import type { Observation } from "./observe.ts";
import type { Change, Interruption } from "./plan.ts";

/** Service fields whose change starts a rolling deployment (ECS replaces every task). */
const DEPLOYING_FIELDS = ["taskDefinition", "networkConfiguration", "loadBalancers"];

function startsDeployment(change: Change): boolean {
  if (change.resource !== "Service" || change.action !== "update") return false;
  return (
    change.reason?.includes("--force-new-deployment") === true ||
    change.diff.some((field) => DEPLOYING_FIELDS.some((path) => field.path.startsWith(path)))
  );
}

function desiredCountChange(change: Change): { from: number; to: number } | undefined {
  if (change.resource !== "Service" || change.action !== "update") return undefined;
  const field = change.diff.find((candidate) => candidate.path === "desiredCount");
  return field && typeof field.desired === "number" && typeof field.observed === "number"
    ? { from: field.observed, to: field.desired }
    : undefined;
}

/** The interruptions the planned changes cause, each with why and how to avoid it. */
export function plannedInterruptions(
  document: ServiceSpec,
  changes: readonly Change[],
  observation: Observation,
): Interruption[] {
  const { spec } = document;
  const service = document.metadata.name;
  const found: Interruption[] = [];
  const serviceChange = changes.find((change) => change.resource === "Service");
  const deploys = serviceChange !== undefined && startsDeployment(serviceChange);
  const count = desiredCountChange(
    serviceChange ?? { action: "noop", resource: "Service", name: "", diff: [] },
  );
  const desired = count?.to ?? observation.service?.desiredCount ?? spec.service.desiredCount;
  const { minimumHealthyPercent } = spec.service.deployment;

  if (deploys && desired > 0 && Math.ceil((desired * minimumHealthyPercent) / 100) === 0)
    found.push({
      resource: "Service",
      name: service,
      reason: `the deployment may stop every running task before a new one is healthy (minimumHealthyPercent ${minimumHealthyPercent}): the load balancer answers 503 meanwhile; set spec.service.deployment.minimumHealthyPercent to 100 to keep serving`,
    });
  const scalesIn = count !== undefined && count.to < count.from;
  if (count && count.to === 0 && count.from > 0)
    found.push({
      resource: "Service",
      name: service,
      reason: "desiredCount 0 stops every task: the load balancer answers 503 until a task runs again",
    });
  else if ((deploys || scalesIn) && spec.loadBalancer.deregistrationDelaySeconds === 0)
    found.push({
      resource: "Service",
      name: service,
      reason: `${deploys ? "replaced" : "stopped"} tasks are deregistered with no time to finish their requests (deregistrationDelaySeconds 0): requests in flight fail; allow them the time they take (the default is 30)`,
    });

  const listener = changes.find((change) => change.resource === "Listener" && change.action === "update");
  const port = listener?.diff.find((field) => field.path === "port");
  if (listener && port)
    found.push({
      resource: "Listener",
      name: listener.name,
      reason: `the listener moves from port ${String(port.observed)} to ${String(port.desired)}: clients still calling port ${String(port.observed)} get no answer from then on (a load balancer cannot serve one listener on two ports; add the new port beside the old one elsewhere first if clients need time)`,
    });
  return found;
}
