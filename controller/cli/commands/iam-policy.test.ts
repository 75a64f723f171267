import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { specYaml } from "../../../specs/test-builders.ts";
import { runCli } from "../program.ts";
import { captureStreams } from "../test-streams.ts";

async function iamPolicy(...args: string[]) {
  const streams = captureStreams();
  const code = await runCli(["iam-policy", ...args], streams);
  return { code, stdout: streams.stdoutText(), stderr: streams.stderrText() };
}

const statement = (stdout: string, sid: string) =>
  (
    JSON.parse(stdout) as { Statement: Array<{ Sid: string; Resource: unknown; Condition?: unknown }> }
  ).Statement.find((candidate) => candidate.Sid === sid);

describe("ecs-converge iam-policy", () => {
  it("scopes to the specs' names and roles with -f", async () => {
    const directory = mkdtempSync(join(tmpdir(), "iam-policy-"));
    const file = join(directory, "service.yaml");
    writeFileSync(file, specYaml({ metadata: { name: "shop" } }));
    const { code, stdout, stderr } = await iamPolicy("-f", file, "--lease-table", "ecs-converge-leases");
    expect(code).toBe(0);
    expect(statement(stdout, "ChangeOwnedResources")?.Resource).toContain(
      "arn:aws:elasticloadbalancing:*:*:*/app/shop/*",
    );
    expect(statement(stdout, "PassTaskRolesToEcs")?.Resource).toBe(
      "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
    );
    expect(statement(stdout, "LeaseTable")?.Resource).toBe("arn:aws:dynamodb:*:*:table/ecs-converge-leases");
    expect(stderr).toMatch(
      /^note: the policy is \d+ characters, over the 6144 of a managed policy: attach it inline/,
    );
  });

  it("scopes to a name prefix, with the ownership tag's service condition", async () => {
    const { code, stdout, stderr } = await iamPolicy(
      "--name-prefix",
      "web",
      "--pass-role",
      "arn:aws:iam::*:role/web-*",
    );
    expect(code).toBe(0);
    expect(statement(stdout, "ChangeOwnedResources")).toMatchObject({
      Resource: expect.arrayContaining(["arn:aws:ecs:*:*:service/*/web*"]),
      Condition: { StringLike: { "aws:ResourceTag/ecs-converge.io/service": ["web*"] } },
    });
    expect(statement(stdout, "PassTaskRolesToEcs")?.Resource).toBe("arn:aws:iam::*:role/web-*");
    expect(stdout).not.toContain("dynamodb:");
    expect(stderr).toContain("note: no DynamoDB permission: add --lease-table <name>");
  });

  it("without options: any service, by tag; roles named ecs-converge-*, said on stderr", async () => {
    const { code, stdout, stderr } = await iamPolicy();
    expect(code).toBe(0);
    expect(statement(stdout, "PassTaskRolesToEcs")?.Resource).toBe("arn:aws:iam::*:role/ecs-converge-*");
    expect(stderr).toContain("iam:PassRole is limited to roles named ecs-converge-*");
  });

  it.each([
    {
      reason: "a prefix no service name can start with",
      args: ["--name-prefix", "Web_"],
      error: /--name-prefix "Web_" cannot begin a service name/,
    },
    {
      reason: "a role that is not a role ARN",
      args: ["--pass-role", "admin"],
      error: /--pass-role "admin" is not an IAM role ARN/,
    },
    {
      reason: "a table name DynamoDB refuses",
      args: ["--lease-table", "a"],
      error: /--lease-table "a" is not a DynamoDB table name/,
    },
    {
      reason: "both -f and --name-prefix",
      args: ["-f", "x.yaml", "--name-prefix", "web"],
      error: /-f and --name-prefix both set/,
    },
  ])("refuses $reason in one line", async ({ args, error }) => {
    const { code, stdout, stderr } = await iamPolicy(...args);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.split("\n")[0]).toMatch(error);
  });
});
