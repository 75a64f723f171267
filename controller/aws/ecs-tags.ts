/** Tags on ECS resources (clusters, services, task definitions): ECS spells them `[{ key, value }]`. */
import { TagResourceCommand } from "@aws-sdk/client-ecs";
import type { AwsClients } from "./clients.ts";

/** ECS's tag list from a map. */
export const ecsTagList = (tags: Record<string, string>) =>
  Object.entries(tags).map(([key, value]) => ({ key, value }));

/** Adds (or overwrites) tags on an ECS resource; nothing to add, no call. */
export async function addEcsTags(
  clients: AwsClients,
  arn: string,
  tags: Record<string, string>,
): Promise<void> {
  if (Object.keys(tags).length === 0) return;
  await clients.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: ecsTagList(tags) }));
}
