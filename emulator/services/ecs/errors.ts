/** ECS's error codes and messages, and the input reader that raises them. */
import { AwsError } from "../../errors.ts";
import { type Input, inputReader } from "../../protocols/input.ts";

export const invalidParameter = (message: string) => new AwsError("InvalidParameterException", message);

export const clientException = (message: string) => new AwsError("ClientException", message);

export const clusterNotFound = () => new AwsError("ClusterNotFoundException", "Cluster not found.");

export const serviceNotFound = () => new AwsError("ServiceNotFoundException", "Service not found.");

export const serviceNotActive = () => new AwsError("ServiceNotActiveException", "Service was not ACTIVE.");

/** Reads an ECS request (or a structure inside one); bad values are InvalidParameterException. */
export const read = (input: Input) =>
  inputReader(input, {
    missing: (name) => invalidParameter(`${name} can not be blank.`),
    invalid: (name, detail) => invalidParameter(`Invalid parameter ${name}: ${detail}`),
  });

/** The structures of a list parameter, each checked to be an object. */
export function structures(input: Input, name: string): Input[] {
  const items = read(input).list(name);
  for (const item of items) {
    if (item === null || typeof item !== "object" || Array.isArray(item))
      throw invalidParameter(`Invalid parameter ${name}: each item must be a structure`);
  }
  return items as Input[];
}

/** `maxResults` of the List operations, within AWS's bounds. */
export function maxResults(input: Input, fallback: number, limit = 100): number {
  const value = read(input).optionalInt("maxResults") ?? fallback;
  if (value < 1 || value > limit) throw invalidParameter(`maxResults must be between 1 and ${limit}.`);
  return value;
}
