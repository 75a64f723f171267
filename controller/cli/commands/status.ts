/** `ecs-converge status`: per service, what exists, how the rollout stands, and whether anything drifted. */
import { destroyAwsClients } from "../../aws/clients.ts";
import { type ObservedCondition, observedConditions } from "../../engine/observed-conditions.ts";
import { hasChanges, summarize } from "../../engine/plan.ts";
import { planService } from "../../engine/reconcile.ts";
import { heldBackLine, waitingLine } from "../../engine/render-plan.ts";
import { readRollout } from "../../engine/rollout.ts";
import { readServiceActivity } from "../../engine/service-activity.ts";
import { desiredTargetGroup } from "../../resources/target-group/target-group.ts";
import { type AwsCommandOptions, clientsForSpec, explainFailure, loadValidSpecs } from "../aws-session.ts";
import { ExitCode } from "../exit-codes.ts";
import { localListenerUrl } from "../local-listener-url.ts";
import { renderActivity } from "../status-activity.ts";
import { type CliStreams, TerminalWriter } from "../terminal.ts";

export interface StatusOptions extends AwsCommandOptions {
  json?: boolean;
}

export async function statusCommand(options: StatusOptions, streams: CliStreams): Promise<ExitCode> {
  const out = new TerminalWriter(streams.stdout);
  const reports = [];
  for (const loaded of await loadValidSpecs(options.file)) {
    const clients = await clientsForSpec(loaded, options);
    const name = loaded.spec.metadata.name;
    const localUrlOf = async (dnsName: string, port: number) => {
      const localUrl = await localListenerUrl(clients, dnsName, port);
      return localUrl === undefined ? {} : { localUrl };
    };
    try {
      const plan = await planService(clients, loaded.spec);
      const { observation, heldBack } = plan;
      const currentName = desiredTargetGroup(loaded.spec, plan.context.network).name;
      const targetGroup = observation.targetGroups.find((group) => group.name === currentName);
      // Read against the held-back revision, the rollout says it was rolled back, and why.
      const rollout = observation.service
        ? await readRollout(clients, loaded.spec.spec.cluster, name, targetGroup?.arn, heldBack[0]?.arn)
        : undefined;
      const activity = observation.service
        ? await readServiceActivity(clients, {
            cluster: loaded.spec.spec.cluster,
            service: observation.service,
            targetGroupArn: targetGroup?.arn,
            scalableTarget: observation.scaling.target,
          })
        : undefined;
      const resources = plan.changes
        .filter((change) => change.action !== "delete")
        .map((change) => ({
          resource: change.resource,
          name: change.name,
          found: change.action !== "create",
        }));
      const report = {
        service: name,
        region: clients.region,
        // Deployed: the ECS service exists. Without it (never applied, or destroyed) nothing runs.
        deployed: observation.service !== undefined,
        // In sync: nothing to change, nothing held back (the spec is not running) and no step of a change
        // still waiting for AWS (a replaced target group is not done until its last pass).
        inSync: !hasChanges(plan.changes) && heldBack.length === 0 && plan.waiting.length === 0,
        drifted: hasChanges(plan.changes),
        // What the daemon's /status would say, as this one look at AWS can tell it.
        conditions: observedConditions({
          deployed: observation.service !== undefined,
          pendingChanges: plan.changes.filter((change) => change.action !== "noop").length,
          heldBack: heldBack[0] && `${heldBack[0].name} is held back: ${heldBack[0].reason}`,
          waitingSteps: plan.waiting.length,
          rollout,
        }),
        changes: summarize(plan.changes),
        heldBack,
        waiting: plan.waiting,
        loadBalancer: observation.loadBalancer && {
          dnsName: observation.loadBalancer.dnsName,
          state: observation.loadBalancer.state,
          // Against the built-in emulator, where the listener really answers on this machine.
          ...(await localUrlOf(observation.loadBalancer.dnsName, loaded.spec.spec.loadBalancer.listenerPort)),
        },
        resources,
        rollout,
        events: activity?.events ?? [],
        tasks: activity?.tasks ?? [],
        autoscaling: activity?.autoscaling,
      };
      reports.push(report);
      if (options.json) continue;

      const found = resources.filter((resource) => resource.found).length;
      const drift = !report.deployed
        ? out.style(
            "yellow",
            found === 0
              ? "not deployed (apply creates it)"
              : `not deployed: the ECS service does not exist; ${found} of ${resources.length} resources remain`,
          )
        : heldBack.length > 0
          ? out.style("red", "not running the spec")
          : report.drifted
            ? out.style("yellow", "differs from the spec (run plan to see how)")
            : plan.waiting.length > 0
              ? out.style("yellow", "changing: steps wait for AWS")
              : out.style("green", "in sync with the spec");
      out.line(out.style("bold", `Service "${name}" in ${clients.region}: ${drift}`));
      out.line(`  ${report.conditions.map((condition) => describeCondition(condition, out)).join("  ")}`);
      for (const held of heldBack) out.line(out.style("red", heldBackLine(held)));
      for (const step of plan.waiting) out.line(out.style("dim", waitingLine(step)));
      for (const resource of resources) {
        out.line(
          `  ${resource.found ? out.style("green", "found  ") : out.style("red", "missing")} ${resource.resource.padEnd(15)} ${resource.name}`,
        );
      }
      if (report.loadBalancer)
        out.line(
          `  load balancer ${report.loadBalancer.state}: http://${report.loadBalancer.dnsName}` +
            (report.loadBalancer.localUrl
              ? `, served on this machine at ${report.loadBalancer.localUrl}`
              : ""),
        );
      if (rollout) {
        out.line(
          `  tasks ${rollout.running}/${rollout.desired} running, ${rollout.pending} pending; targets: ${describeTargets(rollout.targets)}`,
        );
        for (const deployment of rollout.deployments) {
          out.line(
            `  deployment ${deployment.status} ${deployment.taskDefinition.split("/").pop()} rollout ${deployment.rolloutState ?? "-"} (${deployment.running}/${deployment.desired} running, ${deployment.failedTasks} failed)`,
          );
        }
        if (rollout.failure) out.line(out.style("red", `  ${rollout.failure}`));
      }
      if (activity)
        for (const line of renderActivity(activity, (style, text) => out.style(style, text))) out.line(line);
    } catch (error) {
      throw explainFailure(error, loaded, options);
    } finally {
      destroyAwsClients(clients);
    }
  }
  if (options.json) out.json(reports.length === 1 ? reports[0] : reports);
  return ExitCode.Ok;
}

/** `Ready=True (Available)`, green when good, red when degraded, yellow otherwise. */
function describeCondition(condition: ObservedCondition, out: TerminalWriter): string {
  const good = condition.type === "Degraded" ? condition.status === "False" : condition.status === "True";
  const colour = good ? "green" : condition.type === "Degraded" ? "red" : "yellow";
  return `${out.style(colour, `${condition.type}=${condition.status}`)} (${condition.reason})`;
}

/** `2 healthy, 1 initial`, or `none`. */
function describeTargets(targets: Record<string, number>): string {
  const parts = Object.entries(targets).map(([state, count]) => `${count} ${state}`);
  return parts.length > 0 ? parts.join(", ") : "none";
}
