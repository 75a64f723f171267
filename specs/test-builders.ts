/** Builders for spec documents in tests: a valid document with defaults, patched per case. */
import { stringify } from "yaml";

type Patch = { [key: string]: unknown };

/** A valid, minimal Service document as plain data. */
export function validDocument(): Patch {
  return {
    apiVersion: "ecs-converge/v1",
    kind: "Service",
    metadata: { name: "web" },
    spec: {
      region: "us-east-1",
      task: {
        executionRoleArn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        container: { image: "registry.example.com/web:1.0.0" },
      },
    },
  };
}

/** Deep-merges `patch` into `base`; a value of `undefined` removes the key. */
export function merge(base: Patch, patch: Patch): Patch {
  const result: Patch = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete result[key];
    else if (isPlainObject(value) && isPlainObject(result[key]))
      result[key] = merge(result[key] as Patch, value);
    else result[key] = value;
  }
  return result;
}

function isPlainObject(value: unknown): value is Patch {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The YAML text of a valid document with `patch` applied. */
export function specYaml(patch: Patch = {}): string {
  return stringify(merge(validDocument(), patch));
}
