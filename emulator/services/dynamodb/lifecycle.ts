/** DynamoDB's lifecycle: new tables turn ACTIVE, deleted ones disappear, each after its simulated delay. */
import type { RegionState, World } from "../../world.ts";

/** Called once per tick per region. */
export function tickDynamodb(region: RegionState, now: number, world: World): void {
  for (const table of region.dynamodb.tables.values()) {
    if (table.status === "CREATING" && now >= table.createdAt + world.timings.dynamodbTableCreationMs)
      table.status = "ACTIVE";
    if (
      table.status === "DELETING" &&
      now >= (table.deletingSince ?? now) + world.timings.dynamodbTableDeletionMs
    )
      region.dynamodb.tables.delete(table.name);
  }
}
