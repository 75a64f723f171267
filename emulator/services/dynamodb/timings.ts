/** How long DynamoDB's table lifecycles take, in simulated milliseconds. */

export interface DynamodbTimings {
  /** From CreateTable to ACTIVE: seconds for a table without indexes (the SDK's waiter polls every 20 s). */
  dynamodbTableCreationMs: number;
  /** From DeleteTable (DELETING) until the table is gone. */
  dynamodbTableDeletionMs: number;
}

export const DEFAULT_DYNAMODB_TIMINGS: DynamodbTimings = {
  dynamodbTableCreationMs: 10_000,
  dynamodbTableDeletionMs: 10_000,
};
