/**
 * plan, apply, status and destroy as a user runs them: through the CLI, configured only by the
 * SDK's standard environment (AWS_ENDPOINT_URL, AWS_REGION, credentials), against the emulator.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DeleteTagsCommand, DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { MANAGED_BY_TAG } from "../controller/ownership.ts";
import { merge, specYaml } from "../specs/test-builders.ts";
import { useCliSession } from "./support/cli-session.ts";

const session = useCliSession("cli-test");
const { run } = session;

async function specFile(patch: Parameters<typeof merge>[1] = {}, name = "service.yaml"): Promise<string> {
  const file = join(session.directory, name);
  await writeFile(file, specYaml(merge({ metadata: { name: "web" } }, patch)));
  return file;
}

describe("plan, apply, status, destroy", () => {
  it("plans in the documented JSON format, with --detailed-exitcode 2 for changes and 0 for none", async () => {
    const file = await specFile();
    const planned = await run("plan", "-f", file, "--json", "--detailed-exitcode");
    expect(planned.code).toBe(2);
    const document = JSON.parse(planned.stdout);
    expect(document).toMatchObject({
      service: "web",
      region: "us-east-1",
      summary: { create: 9, update: 0, replace: 0, delete: 0 },
    });
    expect(document.changes[0]).toEqual({
      action: "create",
      resource: "SecurityGroup",
      name: "web-alb",
      diff: expect.any(Array),
    });
    expect(document.changes[0].diff[0]).toEqual({ path: expect.any(String), desired: expect.anything() });

    const applied = await run("apply", "-f", file);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/created Service web/);

    const again = await run("plan", "-f", file, "--detailed-exitcode");
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/No changes: AWS matches the spec\./);
  });

  it("plans a directory of specs as a fleet: each kind read once for all of them, every plan as AWS has it", {
    timeout: 120_000,
  }, async () => {
    const fleet = join(session.directory, "fleet");
    await mkdir(fleet);
    // One cluster, as a platform team runs them (DescribeServices batches per cluster).
    const names = ["api", "auth", "docs", "jobs", "mail", "web"];
    for (const name of names)
      await writeFile(
        join(fleet, `${name}.yaml`),
        specYaml(merge({ metadata: { name } }, { spec: { cluster: "fleet" } })),
      );
    expect((await run("apply", "-f", fleet)).code).toBe(0);
    // One spec edited: the fleet's reads must still see what differs, for that service only.
    await writeFile(
      join(fleet, "web.yaml"),
      specYaml(
        merge({ metadata: { name: "web" } }, { spec: { cluster: "fleet", logging: { retentionDays: 90 } } }),
      ),
    );

    session.aws.emulator.calls.reset();
    const planned = await run("plan", "-f", fleet, "--json", "--detailed-exitcode");
    expect(planned.code).toBe(2);
    const documents = JSON.parse(planned.stdout) as Array<{
      service: string;
      changes: { resource: string }[];
    }>;
    expect(
      documents.map((document) => [document.service, document.changes.map((change) => change.resource)]),
    ).toEqual(names.map((name) => [name, name === "web" ? ["LogGroup"] : []]));
    const calls = session.aws.emulator.calls.counts();
    // Six services, one call each for the kinds that batch (the plan of one service makes one per kind).
    for (const call of [
      "ecs:DescribeServices",
      "ec2:DescribeSecurityGroups",
      "elbv2:DescribeLoadBalancers",
      "elbv2:DescribeTargetGroups",
      "logs:DescribeLogGroups",
      "autoscaling:DescribeScalableTargets",
    ])
      expect([call, calls[call]]).toEqual([call, 1]);
  });

  it("prints a human plan with each field's observed → desired value", async () => {
    const file = await specFile();
    await run("apply", "-f", file);
    await specFile({ spec: { loadBalancer: { healthCheck: { path: "/ready" } } } });
    const { code, stdout } = await run("plan", "-f", file);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /~ update TargetGroup web-[0-9a-f]{8}\n\s+healthCheck\.path: "\/health" → "\/ready"/,
    );
    expect(stdout).toMatch(/Plan: 0 to create, 1 to update, 0 to replace, 0 to delete\./);
  });

  it("apply --wait returns once the service is stable, and status reports it", async () => {
    const file = await specFile();
    const applied = await run("apply", "-f", file, "--wait", "--timeout", "2m", "--poll-interval", "200ms");
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/web: stable\./);

    const status = await run("status", "-f", file, "--json");
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout);
    expect(report).toMatchObject({
      service: "web",
      drifted: false,
      rollout: { stable: true, running: 2, desired: 2, targets: { healthy: 2 } },
    });
    expect(report.resources.every((resource: { found: boolean }) => resource.found)).toBe(true);
    expect(report.loadBalancer.dnsName).toMatch(/^web-.*\.us-east-1\.elb\.amazonaws\.com$/);
  });

  it("destroy --json lists what it deleted and what it left in place because it is not ours", async () => {
    const file = await specFile();
    expect((await run("apply", "-f", file)).code).toBe(0);
    const { SecurityGroups = [] } = await session.aws.operator.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["web-alb"] }] }),
    );
    await session.aws.operator.ec2.send(
      new DeleteTagsCommand({
        Resources: [SecurityGroups[0]?.GroupId ?? ""],
        Tags: [{ Key: MANAGED_BY_TAG }],
      }),
    );
    expect((await run("destroy", "-f", file, "--json")).code).toBe(1);
    const destroyed = await run("destroy", "-f", file, "--json", "--yes", "--timeout", "2m");
    expect(destroyed.code, destroyed.stderr).toBe(0);
    const document = JSON.parse(destroyed.stdout);
    expect(document.skipped).toEqual([
      {
        resource: "SecurityGroup",
        name: "web-alb",
        reason: "not tagged as owned by this service: left in place",
      },
    ]);
    expect(document.changes.map((change: { resource: string }) => change.resource)).toContain("LoadBalancer");
    expect(document.summary.delete).toBe(document.changes.length);
  });

  it("destroy refuses without --yes when nobody can be asked, and removes everything with it", async () => {
    const file = await specFile();
    await run("apply", "-f", file);
    const refused = await run("destroy", "-f", file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/will not do so without confirmation/);

    const destroyed = await run("destroy", "-f", file, "--yes", "--timeout", "2m");
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(destroyed.stdout).toMatch(/web: destroyed\./);
    const { stdout } = await run("plan", "-f", file, "--json");
    expect(JSON.parse(stdout).summary.create).toBe(9);
  });
});

describe("problems a user can fix get one clear line and exit 1", () => {
  it("an unknown VPC points at the spec field", async () => {
    const file = await specFile({ spec: { network: { vpc: "vpc-0123456789abcdef0" } } });
    const { code, stderr } = await run("plan", "-f", file);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /service\.yaml:\d+:\d+ spec\.network\.vpc: vpc-0123456789abcdef0 does not exist in us-east-1/,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("an unknown subnet points at the list entry", async () => {
    const file = await specFile({
      spec: { network: { loadBalancerSubnets: ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"] } },
    });
    const { code, stderr } = await run("plan", "-f", file);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /service\.yaml:\d+:\d+ spec\.network\.loadBalancerSubnets\.\d: subnet-0[ab]+ does not exist in us-east-1/,
    );
  });

  it("no region anywhere", async () => {
    const file = await specFile({ spec: { region: undefined } });
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    process.env.AWS_CONFIG_FILE = join(session.directory, "no-config");
    const { code, stderr } = await run("plan", "-f", file);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no AWS region for service "web"/);
    expect(stderr).toMatch(/set spec\.region/);
  });

  it("no credentials", async () => {
    const file = await specFile();
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(session.directory, "no-credentials");
    process.env.AWS_CONFIG_FILE = join(session.directory, "no-config");
    const { code, stderr } = await run("plan", "-f", file);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no AWS credentials found/);
  });

  it("an invalid spec never reaches AWS", async () => {
    const file = await specFile({ spec: { task: { cpu: 3 } } });
    const { code, stderr } = await run("apply", "-f", file);
    expect(code).toBe(1);
    expect(stderr).toMatch(/spec\.task\.cpu: must be one of Fargate's CPU values/);
    expect(session.aws.emulator.calls.calls()).toEqual([]);
  });
});
