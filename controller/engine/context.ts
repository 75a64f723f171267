/** What every step of a pass over one service shares: the clients, the spec, the resolved network and caches. */
import type { ServiceSpec } from "../../specs/index.ts";
import type { AwsClients } from "../aws/clients.ts";
import { ElbTagReader } from "../aws/elb-tags.ts";
import type { TagCache } from "../aws/tag-cache.ts";
import { DirectReads, type ObservationReads } from "../inventory/observation-reads.ts";
import { SlowReads } from "../inventory/slow-reads.ts";
import { TaskDefinitionCache } from "../resources/task-definition/task-definition.ts";
import type { ResolvedNetwork } from "./network.ts";

export interface StackContext {
  clients: AwsClients;
  document: ServiceSpec;
  network: ResolvedNetwork;
  elbTags: ElbTagReader;
  /** Kept across passes by the daemon: revisions never change. */
  taskDefinitions: TaskDefinitionCache;
  /** Tag sets by ARN, kept across passes until an apply changes something. */
  tags: TagCache;
  /** Attributes read on the slow tier (see inventory/slow-reads.ts); a fresh tier reads everything. */
  slow: SlowReads;
  /** Where the observation's reads come from: AWS directly, or the daemon's shared fleet inventory. */
  reads: ObservationReads;
}

export function createStackContext(
  clients: AwsClients,
  document: ServiceSpec,
  network: ResolvedNetwork,
  taskDefinitions = new TaskDefinitionCache(),
  tags: TagCache = new Map(),
  slow: SlowReads = new SlowReads(),
  reads: ObservationReads = new DirectReads(clients),
): StackContext {
  return {
    clients,
    document,
    network,
    elbTags: new ElbTagReader(clients, tags, reads.elbTagBatch),
    taskDefinitions,
    tags,
    slow,
    reads,
  };
}
