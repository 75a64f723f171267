/**
 * One rollout told as one story in the daemon's log: `rollout started` (the new revision and the one
 * it replaces), `rollout progress` (the new revision's deployment counts, each time they change), then
 * `rollout completed` or `rollout rolled back` / `rollout failed` with why. Every line carries the new
 * `revision`, so searching the log for it finds the whole story, and no other line tells it.
 */
import type { DeploymentState, RolloutState } from "../engine/rollout.ts";
import { revisionName } from "../resources/task-definition/task-definition.ts";
import type { Logger } from "./logger.ts";

/** How a story ended in this pass, if it did. */
export type StoryEnd =
  | { kind: "completed" }
  | { kind: "failed"; revision: string; failure: string; rolledBack: boolean };

export class RolloutStory {
  readonly #log: Logger;
  /** The ARN of the revision being rolled out; undefined while no rollout is being told. */
  #revision: string | undefined;
  #lastProgress = "";

  constructor(log: Logger) {
    this.#log = log;
  }

  /** The revision whose rollout is being told: read the rollout against it to tell a rollback. */
  get revision(): string | undefined {
    return this.#revision;
  }

  /** A rollout of `revision` begins (an apply changed it, or a pass saw it); told once per revision. */
  begin(revision: string, previous: string | undefined, desired: number | undefined): void {
    if (this.#revision === revision) return;
    this.#revision = revision;
    this.#lastProgress = "";
    this.#log.info(
      {
        revision: revisionName(revision),
        ...(previous && previous !== revision ? { previousRevision: revisionName(previous) } : {}),
        ...(desired === undefined ? {} : { desired }),
      },
      "rollout started",
    );
  }

  /**
   * Tells what this pass saw of the service (read against `revision`); returns how the story ended, if
   * it did. With `rollback`, a failure ends the story once the rollback has begun. A failure seen without
   * a story being told (a restart after the rollback) is not news: the held-back revision is.
   */
  follow(rollout: RolloutState, rollback: boolean): StoryEnd | undefined {
    if (rollout.failure) {
      const revision = this.#revision;
      if (revision === undefined || rollout.failedTaskDefinition !== revision) return undefined;
      if (rollback && !rollout.rolledBack) return undefined;
      this.#revision = undefined;
      const fields = {
        revision: revisionName(revision),
        ...(rollout.rolledBack ? { runningRevision: revisionName(rollout.taskDefinition) } : {}),
        reason: rollout.failure,
      };
      if (rollout.rolledBack) this.#log.error(fields, "rollout rolled back");
      else this.#log.error(fields, "rollout failed");
      return { kind: "failed", revision, failure: rollout.failure, rolledBack: rollout.rolledBack };
    }
    const primary = rollout.deployments.find((deployment) => deployment.status === "PRIMARY");
    if (rollout.stable) {
      const revision = this.#revision;
      if (revision === undefined) return undefined;
      this.#revision = undefined;
      this.#log.info({ revision: revisionName(revision), running: rollout.running }, "rollout completed");
      return { kind: "completed" };
    }
    if (primary && this.#revision !== primary.taskDefinition) {
      const previous = rollout.deployments.find((deployment) => deployment !== primary);
      this.begin(primary.taskDefinition, previous?.taskDefinition, primary.desired);
    }
    const revision = this.#revision;
    if (revision === undefined) return undefined;
    const deployment = rollout.deployments.find((candidate) => candidate.taskDefinition === revision);
    const progress = progressOf(deployment, rollout);
    if (JSON.stringify(progress) !== this.#lastProgress) {
      this.#lastProgress = JSON.stringify(progress);
      this.#log.info({ revision: revisionName(revision), ...progress }, "rollout progress");
    }
    return undefined;
  }
}

/** The new revision's deployment counts, and the target group's healthy targets (of every revision). */
function progressOf(deployment: DeploymentState | undefined, rollout: RolloutState) {
  return {
    running: deployment?.running ?? 0,
    desired: deployment?.desired ?? rollout.desired,
    pending: deployment?.pending ?? 0,
    failedTasks: deployment?.failedTasks ?? 0,
    healthyTargets: rollout.targets.healthy ?? 0,
    deployments: rollout.deployments.length,
    ...(deployment?.rolloutState ? { rolloutState: deployment.rolloutState } : {}),
  };
}
