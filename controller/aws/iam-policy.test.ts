import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseSpec } from "../../specs/index.ts";
import { specYaml } from "../../specs/test-builders.ts";
import {
  controllerActions,
  DEFAULT_SCOPE,
  IMPLIED_ACTIONS,
  INLINE_POLICIES_MAX_CHARS,
  iamPolicyDocument,
  MANAGED_POLICY_MAX_CHARS,
  policySize,
  scopeOfSpecs,
  UNSCOPED_STATEMENTS,
} from "./iam-policy.ts";

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

describe("scoping", () => {
  const statements = iamPolicyDocument().Statement;
  const actionsOf = (statement: (typeof statements)[number]) =>
    typeof statement.Action === "string" ? [statement.Action] : statement.Action;

  it("grants every action the controller calls in some statement (the lease table's with --lease-table)", () => {
    const granted = iamPolicyDocument({ ...DEFAULT_SCOPE, leaseTable: "leases" }).Statement.flatMap(
      actionsOf,
    );
    expect(controllerActions().filter((action) => !granted.includes(action))).toEqual([]);
  });

  it("grants on any resource without a condition only the statements documented as unscopable", () => {
    const unconditional = statements.filter(
      (statement) => statement.Resource === "*" && statement.Condition === undefined,
    );
    expect(unconditional.map((statement) => statement.Sid).sort()).toEqual(
      ["DeregisterTaskDefinitions", "ReadAnything"].sort(),
    );
    const onAnything = statements.filter((statement) => statement.Resource === "*");
    for (const statement of onAnything) expect(Object.keys(UNSCOPED_STATEMENTS)).toContain(statement.Sid);
  });

  it("lets every delete and change through only on a resource tagged as ours", () => {
    const mutating = statements.filter((statement) =>
      actionsOf(statement).some((action) => /:(Delete|Modify|Update|Set|Authorize|Revoke|Put)/.test(action)),
    );
    for (const statement of mutating) {
      if (statement.Sid === "TargetTrackingAlarms" || statement.Sid === "DeregisterTaskDefinitions") continue;
      expect(statement.Condition?.StringEquals, statement.Sid).toMatchObject({
        "aws:ResourceTag/ecs-converge.io/managed-by": "ecs-converge",
      });
    }
  });

  it("lets every create through only when it tags what it makes as ours", () => {
    const creating = statements.filter((statement) =>
      actionsOf(statement).some((action) => /:(Create(?!Tags|ServiceLinkedRole)|Register)/.test(action)),
    );
    for (const statement of creating) {
      if (statement.Sid === "CreateSecurityGroupsInVpc") continue; // the VPC half of CreateSecurityGroup
      expect(
        statement.Condition?.StringEquals?.["aws:RequestTag/ecs-converge.io/managed-by"] ??
          statement.Condition?.StringEquals?.["aws:ResourceTag/ecs-converge.io/managed-by"],
        statement.Sid,
      ).toBe("ecs-converge");
    }
  });

  it("names the specs' services, clusters, log groups, roles and tag keys with -f", () => {
    const spec = parseSpec(
      specYaml({
        metadata: { name: "web", tags: { team: "platform" } },
        spec: { cluster: "shared", logging: { logGroup: "/apps/web" } },
      }),
      "service.yaml",
    ).spec;
    const text = JSON.stringify(iamPolicyDocument(scopeOfSpecs([spec], "leases")));
    expect(text).toContain("elasticloadbalancing:*:*:*/app/web/*");
    expect(text).toContain("targetgroup/web-*/*");
    expect(text).toContain("arn:aws:ecs:*:*:cluster/shared");
    expect(text).toContain("log-group:/apps/web");
    expect(text).toContain('"aws:TagKeys":["ecs-converge.io/*","team"]');
    expect(text).toContain('"team"');
    expect(text).toContain("arn:aws:dynamodb:*:*:table/leases");
    const passRole = iamPolicyDocument(scopeOfSpecs([spec])).Statement.find(
      (statement) => statement.Sid === "PassTaskRolesToEcs",
    );
    expect(passRole?.Resource).toBe(spec.spec.task.executionRoleArn);
  });

  it("fits a role's inline policies for a spec or a prefix, and a managed policy unscoped", () => {
    const spec = parseSpec(
      specYaml({ metadata: { name: "web", tags: { team: "platform" } } }),
      "s.yaml",
    ).spec;
    expect(policySize(iamPolicyDocument(scopeOfSpecs([spec], "leases")))).toBeLessThanOrEqual(
      INLINE_POLICIES_MAX_CHARS,
    );
    expect(policySize(iamPolicyDocument({ ...DEFAULT_SCOPE, services: ["web*"] }))).toBeLessThanOrEqual(
      INLINE_POLICIES_MAX_CHARS,
    );
    expect(policySize(iamPolicyDocument())).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
  });

  it("grants adoption (claiming untagged resources) only when asked", () => {
    const sids = (adoption: boolean) =>
      iamPolicyDocument({ ...DEFAULT_SCOPE, adoption }).Statement.map((statement) => statement.Sid);
    expect(sids(false)).not.toContain("AdoptUntaggedResourcesWithOurNames");
    expect(sids(true)).toContain("AdoptUntaggedResourcesWithOurNames");
  });
});
