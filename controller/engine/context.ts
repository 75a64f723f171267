/** What every step of a pass over one service shares: the clients, the spec, the resolved network and caches. */
import type { ServiceSpec } from "../../specs/index.ts";
import type { AwsClients } from "../aws/clients.ts";
import { ElbTagReader } from "../aws/elb-tags.ts";
import { TaskDefinitionCache } from "../resources/task-definition/task-definition.ts";
import type { ResolvedNetwork } from "./network.ts";

export interface StackContext {
  clients: AwsClients;
  document: ServiceSpec;
  network: ResolvedNetwork;
  elbTags: ElbTagReader;
  /** Kept across passes by the daemon: revisions never change. */
  taskDefinitions: TaskDefinitionCache;
}

export function createStackContext(
  clients: AwsClients,
  document: ServiceSpec,
  network: ResolvedNetwork,
  taskDefinitions = new TaskDefinitionCache(),
): StackContext {
  // Tags are read fresh every pass: an ownership tag removed by hand must be noticed.
  return { clients, document, network, elbTags: new ElbTagReader(clients), taskDefinitions };
}
