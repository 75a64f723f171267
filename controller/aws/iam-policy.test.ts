import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { controllerActions, IMPLIED_ACTIONS, iamPolicyDocument } from "./iam-policy.ts";

const controllerRoot = fileURLToPath(new URL("../", import.meta.url));
const PREFIX_BY_PACKAGE: Record<string, string> = {
  "@aws-sdk/client-ec2": "ec2",
  "@aws-sdk/client-elastic-load-balancing-v2": "elasticloadbalancing",
  "@aws-sdk/client-ecs": "ecs",
  "@aws-sdk/client-application-auto-scaling": "application-autoscaling",
  "@aws-sdk/client-cloudwatch-logs": "logs",
  "@aws-sdk/client-dynamodb": "dynamodb",
};

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Every `XCommand` the controller's sources import from an AWS client, as an IAM action. */
function actionsInSource(): string[] {
  const actions = new Set<string>();
  for (const file of sourceFiles(controllerRoot)) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"(@aws-sdk\/client-[^"]+)"/g)) {
      const prefix = PREFIX_BY_PACKAGE[match[2] ?? ""];
      for (const name of (match[1] ?? "").matchAll(/\b([A-Z]\w+)Command\b/g))
        actions.add(`${prefix}:${name[1]}`);
    }
  }
  return [...actions].sort();
}

describe("the IAM policy", () => {
  it("allows exactly the actions the controller's code can call", () => {
    expect(controllerActions()).toEqual([...new Set([...actionsInSource(), ...IMPLIED_ACTIONS])].sort());
  });

  it("is a valid policy document with the ECS role pass-through", () => {
    const policy = iamPolicyDocument();
    expect(policy.Version).toBe("2012-10-17");
    expect(policy.Statement.map((statement) => statement.Action)).toContainEqual("iam:PassRole");
  });
});
