/**
 * Reading operation input the same way for every protocol: JSON brings typed values, the query
 * protocols bring strings. Each reader names the parameter in AWS's validation error when it is wrong.
 */
import type { AwsError } from "../errors.ts";

export type Input = Record<string, unknown>;

/** The error code a service uses for invalid parameters (ELBv2 `ValidationError`, ECS `InvalidParameterException`, …). */
export interface InputErrors {
  missing(name: string): AwsError;
  invalid(name: string, detail: string): AwsError;
}

export function inputReader(input: Input, errors: InputErrors) {
  const raw = (name: string): unknown => {
    const value = input[name];
    return value === "" ? undefined : value;
  };
  const reader = {
    has: (name: string): boolean => raw(name) !== undefined && raw(name) !== null,
    optionalString(name: string): string | undefined {
      const value = raw(name);
      if (value === undefined || value === null) return undefined;
      if (typeof value !== "string") throw errors.invalid(name, "must be a string");
      return value;
    },
    string(name: string): string {
      const value = reader.optionalString(name);
      if (value === undefined) throw errors.missing(name);
      return value;
    },
    optionalInt(name: string): number | undefined {
      const value = raw(name);
      if (value === undefined || value === null) return undefined;
      const number =
        typeof value === "number"
          ? value
          : typeof value === "string" && /^-?\d+$/.test(value)
            ? Number(value)
            : Number.NaN;
      if (!Number.isSafeInteger(number)) throw errors.invalid(name, "must be an integer");
      return number;
    },
    int(name: string): number {
      const value = reader.optionalInt(name);
      if (value === undefined) throw errors.missing(name);
      return value;
    },
    optionalNumber(name: string): number | undefined {
      const value = raw(name);
      if (value === undefined || value === null) return undefined;
      const number =
        typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
      if (!Number.isFinite(number)) throw errors.invalid(name, "must be a number");
      return number;
    },
    optionalBool(name: string): boolean | undefined {
      const value = raw(name);
      if (value === undefined || value === null) return undefined;
      if (value === true || value === "true") return true;
      if (value === false || value === "false") return false;
      throw errors.invalid(name, "must be true or false");
    },
    /** A list; the query protocols send an empty list as `Name=`. */
    list<T = unknown>(name: string): T[] {
      const value = raw(name);
      if (value === undefined || value === null) return [];
      if (!Array.isArray(value)) throw errors.invalid(name, "must be a list");
      return value as T[];
    },
    stringList(name: string): string[] {
      const values = reader.list(name);
      if (!values.every((value) => typeof value === "string"))
        throw errors.invalid(name, "must be a list of strings");
      return values as string[];
    },
    optionalObject(name: string): Input | undefined {
      const value = raw(name);
      if (value === undefined || value === null) return undefined;
      if (typeof value !== "object" || Array.isArray(value))
        throw errors.invalid(name, "must be a structure");
      return value as Input;
    },
  };
  return reader;
}

export type InputReader = ReturnType<typeof inputReader>;
