/**
 * Reading EC2 request parameters. The ec2Query wire carries every scalar as a string and every list
 * flattened (`GroupId.1`); a missing parameter is `MissingParameter`, a bad one `InvalidParameterValue`.
 */
import { type Input, type InputReader, inputReader } from "../../protocols/input.ts";
import { invalidParameterValue, missingParameter } from "./errors.ts";

/** A reader of `input` that raises EC2's own validation errors. */
export function read(input: Input): InputReader {
  return inputReader(input, {
    missing: missingParameter,
    invalid: (name, detail) => invalidParameterValue(`Value for parameter ${name} is invalid: ${detail}`),
  });
}

/** A list of structures (`IpPermissions.N.…`, `Filter.N.…`); anything else in the list is invalid. */
export function structureList(value: unknown, name: string): Input[] {
  if (value === undefined || value === null || value === "") return [];
  if (!Array.isArray(value))
    throw invalidParameterValue(`Value for parameter ${name} is invalid: must be a list`);
  return value.map((item, index) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      throw invalidParameterValue(`Value for parameter ${name}.${index + 1} is invalid: must be a structure`);
    }
    return item as Input;
  });
}
