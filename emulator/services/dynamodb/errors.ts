/** DynamoDB's errors as the wire names them. */
import { AwsError } from "../../errors.ts";

/** `ValidationException`: the request is malformed or breaks a rule (every message is AWS's wording). */
export function validation(message: string): AwsError {
  return new AwsError("ValidationException", message);
}

/** Data-plane calls on a table that does not exist or is not ACTIVE yet. */
export function resourceNotFound(message = "Requested resource not found"): AwsError {
  return new AwsError("ResourceNotFoundException", message);
}

/** A condition expression that evaluated false; `item` is the old item when ALL_OLD was asked for. */
export function conditionalCheckFailed(item: Record<string, unknown> | undefined): AwsError {
  const error = new AwsError("ConditionalCheckFailedException", "The conditional request failed");
  if (item !== undefined) error.fields = { Item: item };
  return error;
}

/**
 * The namespace real DynamoDB puts in `__type` (the SDK keeps only what follows `#`): validation and
 * protocol errors come from the Coral framework, the service's own from its model namespace.
 */
export function dynamodbErrorType(code: string): string {
  if (code === "ValidationException") return `com.amazon.coral.validate#${code}`;
  if (code === "SerializationException" || code === "UnknownOperationException")
    return `com.amazon.coral.service#${code}`;
  if (code === "ThrottlingException") return `com.amazon.coral.availability#${code}`;
  return `com.amazonaws.dynamodb.v20120810#${code}`;
}
