/** The JSON Schema of the Service document, generated from the zod schema (never written by hand). */
import { z } from "zod";
import { serviceDocumentSchema } from "./schema.ts";

export type JsonSchema = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  required?: string[];
  [keyword: string]: unknown;
};

let cached: JsonSchema | undefined;

/** The schema editors use (`# yaml-language-server: $schema=...`): what users may write, defaults included. */
export function serviceJsonSchema(): JsonSchema {
  cached ??= {
    ...(z.toJSONSchema(serviceDocumentSchema, { io: "input", target: "draft-2020-12" }) as JsonSchema),
    title: "ecs-converge Service",
    description:
      "A web service on ECS Fargate behind an Application Load Balancer, kept converged by ecs-converge.",
  };
  return cached;
}

/** The committed file's exact text, so a test can tell when it is stale. */
export function serviceJsonSchemaText(): string {
  return `${JSON.stringify(serviceJsonSchema(), null, 2)}\n`;
}

/** The property names allowed at a path of the document (for "did you mean" hints). */
export function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let node: JsonSchema | undefined = serviceJsonSchema();
  for (const segment of path) {
    if (!node) return [];
    node = childSchema(node, segment);
  }
  return node ? Object.keys(objectSchema(node)?.properties ?? {}) : [];
}

function objectSchema(node: JsonSchema): JsonSchema | undefined {
  if (node.properties || node.additionalProperties) return node;
  return node.anyOf?.map(objectSchema).find((candidate) => candidate !== undefined);
}

function childSchema(node: JsonSchema, segment: PropertyKey): JsonSchema | undefined {
  if (typeof segment === "number") return node.items;
  const object = objectSchema(node);
  if (!object) return undefined;
  const property = object.properties?.[String(segment)];
  if (property) return property;
  return typeof object.additionalProperties === "object" ? object.additionalProperties : undefined;
}
