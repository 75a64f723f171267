/**
 * `ecs-converge plan`: the dry-run diff. Reads AWS, changes nothing, prints what apply would do. A
 * directory of specs is planned as the daemon resyncs a fleet: one set of clients and one fleet
 * inventory per region (each kind read once for every service, batched), caches shared between specs.
 */

import type { LoadedSpec } from "../../../specs/index.ts";
import type { AwsClients } from "../../aws/clients.ts";
import { destroyAwsClients } from "../../aws/clients.ts";
import { desiredCountOwnedByAutoscaling } from "../../engine/autoscaling-owned.ts";
import { hasChanges, summarize } from "../../engine/plan.ts";
import { createPassCaches, type PassCaches, planService } from "../../engine/reconcile.ts";
import { renderPlan } from "../../engine/render-plan.ts";
import { FleetInventory } from "../../inventory/fleet-inventory.ts";
import { type AwsCommandOptions, clientsForSpec, explainFailure, loadValidSpecs } from "../aws-session.ts";
import { ExitCode } from "../exit-codes.ts";
import { type CliStreams, TerminalWriter } from "../terminal.ts";

export interface PlanOptions extends AwsCommandOptions {
  json?: boolean;
  detailedExitcode?: boolean;
}

/** Clients, caches and (for more than one spec) a fleet inventory per region, for the whole command. */
class RegionReads {
  readonly #options: PlanOptions;
  readonly #specs: readonly LoadedSpec[];
  readonly #regions = new Map<
    string,
    { clients: AwsClients; caches: PassCaches; inventory?: FleetInventory }
  >();

  constructor(options: PlanOptions, specs: readonly LoadedSpec[]) {
    this.#options = options;
    this.#specs = specs;
  }

  async for(loaded: LoadedSpec) {
    const key = loaded.spec.spec.region ?? "";
    let region = this.#regions.get(key);
    if (!region) {
      const clients = await clientsForSpec(loaded, this.#options);
      // Nothing is written while the command runs: one snapshot serves every spec.
      const inventory =
        this.#specs.length > 1
          ? new FleetInventory(clients, { maxAgeMs: Number.POSITIVE_INFINITY })
          : undefined;
      for (const spec of this.#specs) if ((spec.spec.spec.region ?? "") === key) inventory?.expect(spec.spec);
      region = { clients, caches: createPassCaches(), ...(inventory ? { inventory } : {}) };
      this.#regions.set(key, region);
    }
    return region;
  }

  close(): void {
    for (const { clients } of this.#regions.values()) destroyAwsClients(clients);
  }
}

export async function planCommand(options: PlanOptions, streams: CliStreams): Promise<ExitCode> {
  const out = new TerminalWriter(streams.stdout);
  const documents: unknown[] = [];
  let changed = false;
  const specs = await loadValidSpecs(options.file, streams.stdin);
  const regions = new RegionReads(options, specs);
  try {
    for (const loaded of specs) {
      changed = (await planOne(loaded, await regions.for(loaded))) || changed;
    }
  } finally {
    regions.close();
  }
  if (options.json) out.json(documents.length === 1 ? documents[0] : documents);
  return options.detailedExitcode && changed ? ExitCode.Changes : ExitCode.Ok;

  /** Plans one spec, prints it (or keeps its document); whether it has changes pending. */
  async function planOne(
    loaded: LoadedSpec,
    { clients, caches, inventory }: Awaited<ReturnType<RegionReads["for"]>>,
  ): Promise<boolean> {
    try {
      const { changes, skipped, heldBack, observation, waiting, interruptions } = await planService(
        clients,
        loaded.spec,
        caches,
        {},
        inventory,
      );
      // An edit of a field autoscaling owns plans nothing: say why rather than stay silent.
      const owned = desiredCountOwnedByAutoscaling(loaded.spec, observation.service);
      const notes = owned ? [{ path: owned.path, message: owned.message }] : [];
      // A held-back revision is a change pending: the spec is not running until it is rolled out.
      // So is a step waiting for AWS: a later pass still has work to do (a replaced target group).
      const pending = hasChanges(changes) || heldBack.length > 0 || waiting.length > 0;
      const visible = changes.filter((change) => change.action !== "noop");
      documents.push({
        service: loaded.spec.metadata.name,
        region: clients.region,
        changes: visible,
        skipped,
        heldBack,
        waiting,
        interruptions,
        notes,
        summary: summarize(changes),
      });
      if (!options.json) {
        out.line(
          out.style("bold", `Service "${loaded.spec.metadata.name}" in ${clients.region} (${loaded.file}):`),
        );
        for (const line of renderPlan(changes, (style, text) => out.style(style, text), skipped, heldBack, {
          waiting,
          interruptions,
        }))
          out.line(line);
        for (const note of notes) out.line(out.style("dim", `  note: ${note.message}`));
      }
      return pending;
    } catch (error) {
      throw explainFailure(error, loaded, options);
    }
  }
}
