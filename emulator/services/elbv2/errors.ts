/** ELBv2's errors as AWS words them, and the input reader that raises them. */
import { AwsError } from "../../errors.ts";
import { type Input, type InputReader, inputReader } from "../../protocols/input.ts";

/** A parameter AWS refuses before looking at any resource. */
export const validationError = (message: string) => new AwsError("ValidationError", message);

export const invalidConfiguration = (message: string) => new AwsError("InvalidConfigurationRequest", message);

export const loadBalancerNotFound = () =>
  new AwsError("LoadBalancerNotFound", "One or more load balancers not found");

export const targetGroupNotFound = () =>
  new AwsError("TargetGroupNotFound", "One or more target groups not found");

export const listenerNotFound = () => new AwsError("ListenerNotFound", "One or more listeners not found");

export const ruleNotFound = () => new AwsError("RuleNotFound", "One or more rules not found");

/** Reads an operation's (or a nested structure's) parameters; mistakes are `ValidationError`s. */
export function read(input: Input): InputReader {
  return inputReader(input, {
    missing: (name) =>
      validationError(
        `1 validation error detected: Value null at '${lowerFirst(name)}' failed to satisfy constraint: Member must not be null`,
      ),
    invalid: (name, detail) => validationError(`Invalid value for '${lowerFirst(name)}': ${detail}`),
  });
}

/** The structures of a list parameter (`Tags.member.N.Key` → `[{ Key }]`), each checked to be one. */
export function structures(args: InputReader, name: string): Input[] {
  const items = args.list(name);
  for (const item of items) {
    if (item === null || typeof item !== "object" || Array.isArray(item))
      throw validationError(`Invalid value for '${lowerFirst(name)}': each member must be a structure`);
  }
  return items as Input[];
}

/** Refuses a list longer than AWS accepts, in AWS's constraint wording. */
export function atMost(values: readonly unknown[], limit: number, name: string): void {
  if (values.length > limit) {
    throw validationError(
      `1 validation error detected: Value at '${lowerFirst(name)}' failed to satisfy constraint: Member must have length less than or equal to ${limit}`,
    );
  }
}

/** An integer parameter within AWS's range, or undefined when absent. */
export function optionalIntIn(args: InputReader, name: string, min: number, max: number): number | undefined {
  const value = args.optionalInt(name);
  if (value !== undefined && (value < min || value > max)) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${lowerFirst(name)}' failed to satisfy constraint: Member must have value between ${min} and ${max}`,
    );
  }
  return value;
}

/** One of an enumeration's values, or undefined when absent. */
export function optionalEnum<T extends string>(
  args: InputReader,
  name: string,
  values: readonly T[],
): T | undefined {
  const value = args.optionalString(name);
  if (value !== undefined && !(values as readonly string[]).includes(value)) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${lowerFirst(name)}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(", ")}]`,
    );
  }
  return value as T | undefined;
}

const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);
