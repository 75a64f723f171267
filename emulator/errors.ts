/** An AWS error as the wire carries it: a code the SDK turns into an exception name, and a message. */
export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  /** awsQuery reports "Sender" for the caller's mistakes and "Receiver" for AWS's own faults. */
  readonly fault: "Sender" | "Receiver";
  /** Extra members of a JSON error body (DynamoDB's ConditionalCheckFailedException can carry the item). */
  fields: Record<string, unknown> | undefined;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = "AwsError";
    this.code = code;
    this.status = status;
    this.fault = status >= 500 ? "Receiver" : "Sender";
  }
}
