import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formatIssue, MAX_ISSUES_PER_FILE, SpecError, type SpecIssue } from "./issues.ts";
import { loadSpecFile, loadSpecPath, parseSpec } from "./load.ts";
import { MAX_NESTING_DEPTH } from "./parse-yaml.ts";
import { specYaml } from "./test-builders.ts";

const FILE = "service.yaml";

function errorsOf(text: string): SpecIssue[] {
  try {
    parseSpec(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    return [...(error as SpecError).issues];
  }
  throw new Error("expected the spec to be invalid");
}

/** The text at a 1-based line and column, to check that an issue points at the right token. */
function textAt(text: string, line: number | undefined, column: number | undefined): string {
  const lines = text.split("\n");
  return (lines[(line ?? 1) - 1] ?? "").slice((column ?? 1) - 1);
}

interface BrokenCase {
  reason: string;
  text: string;
  path: string;
  message: RegExp;
  /** What the reported line:col must point at. */
  at: string;
}

const brokenCases: BrokenCase[] = [
  {
    reason: "YAML syntax errors are located",
    text: "apiVersion: ecs-converge/v1\nkind: [Service\n",
    path: "",
    message: /YAML syntax error/,
    at: "",
  },
  {
    reason: "duplicate keys are ambiguous",
    text: `${specYaml()}kind: Service\n`,
    path: "",
    message: /duplicate key "kind" \(first on line 2\): keep one of them/,
    at: "kind",
  },
  { reason: "an empty file", text: "", path: "", message: /file is empty/, at: "" },
  { reason: "a file of comments only", text: "# nothing here\n", path: "", message: /file is empty/, at: "" },
  {
    reason: "a list instead of a mapping",
    text: "- apiVersion: x\n",
    path: "",
    message: /got a list/,
    at: "- apiVersion",
  },
  { reason: "a bare scalar", text: "hello\n", path: "", message: /got a string/, at: "hello" },
  {
    reason: "two documents in one file",
    text: `${specYaml()}---\n${specYaml()}`,
    path: "",
    message: /one Service per file/,
    at: "",
  },
  {
    reason: "wrong apiVersion",
    text: specYaml({ apiVersion: "v2" }),
    path: "apiVersion",
    message: /must be "ecs-converge\/v1"/,
    at: "v2",
  },
  {
    reason: "wrong kind",
    text: specYaml({ kind: "Deployment" }),
    path: "kind",
    message: /must be "Service"/,
    at: "Deployment",
  },
  {
    reason: "unknown top-level key gets a did-you-mean hint",
    text: specYaml({ specs: {} }),
    path: "specs",
    message: /unknown field; did you mean "spec"\?/,
    at: "specs",
  },
  {
    reason: "unknown nested key gets a did-you-mean hint",
    text: specYaml({ spec: { loadBalancer: { healthcheck: { path: "/" } } } }),
    path: "spec.loadBalancer.healthcheck",
    message: /did you mean "healthCheck"\?/,
    at: "healthcheck",
  },
  {
    reason: "unknown key far from any field lists what is allowed",
    text: specYaml({ metadata: { zzzzzzzz: 1 } }),
    path: "metadata.zzzzzzzz",
    message: /allowed here: name, tags, adopt/,
    at: "zzzzzzzz",
  },
  {
    reason: "a string where a number belongs",
    text: specYaml({ spec: { task: { container: { port: "http" } } } }),
    path: "spec.task.container.port",
    message: /expected a number, got a string/,
    at: "http",
  },
  {
    reason: "port out of range",
    text: specYaml({ spec: { loadBalancer: { listenerPort: 70000 } } }),
    path: "spec.loadBalancer.listenerPort",
    message: /<= 65535/,
    at: "70000",
  },
  {
    reason: "a mapping where a list belongs",
    text: specYaml({ spec: { network: { taskSubnets: { a: 1 } } } }),
    path: "spec.network.taskSubnets",
    message: /expected a list, got a mapping/,
    at: "a: 1",
  },
  {
    reason: "uppercase service name",
    text: specYaml({ metadata: { name: "Web" } }),
    path: "metadata.name",
    message: /lowercase/,
    at: "Web",
  },
  {
    reason: "a service name whose target group name would exceed 32 characters",
    text: specYaml({ metadata: { name: "a".repeat(24) } }),
    path: "metadata.name",
    message: /at most 23 characters/,
    at: "aaaa",
  },
  {
    reason: 'names starting with "internal-" are reserved by ELB',
    text: specYaml({ metadata: { name: "internal-api" } }),
    path: "metadata.name",
    message: /internal-/,
    at: "internal-api",
  },
  {
    reason: "a CPU value Fargate does not offer",
    text: specYaml({ spec: { task: { cpu: 300 } } }),
    path: "spec.task.cpu",
    message: /Fargate's CPU values: 256, 512/,
    at: "300",
  },
  {
    reason: "a memory size that is not a Fargate pair for the CPU",
    text: specYaml({ spec: { task: { cpu: 1024, memory: 512 } } }),
    path: "spec.task.memory",
    message: /512 MiB is not a Fargate size for cpu 1024: use 2048-8192 MiB in 1024 MiB steps/,
    at: "512",
  },
  {
    reason: "a health check that times out after the next probe starts",
    text: specYaml({ spec: { loadBalancer: { healthCheck: { intervalSeconds: 10, timeoutSeconds: 10 } } } }),
    path: "spec.loadBalancer.healthCheck.timeoutSeconds",
    message: /must be less than intervalSeconds \(10\)/,
    at: "10",
  },
  {
    reason: "autoscaling bounds reversed",
    text: specYaml({ spec: { autoscaling: { minTasks: 4, maxTasks: 2 } } }),
    path: "spec.autoscaling.maxTasks",
    message: /must be >= minTasks \(4\)/,
    at: "2",
  },
  {
    reason: "desiredCount outside autoscaling's bounds",
    text: specYaml({ spec: { service: { desiredCount: 12 }, autoscaling: { minTasks: 2, maxTasks: 10 } } }),
    path: "spec.service.desiredCount",
    message: /within autoscaling's \[minTasks, maxTasks\] = \[2, 10\]/,
    at: "12",
  },
  {
    reason: "autoscaling without its bounds",
    text: specYaml({ spec: { autoscaling: { targetCpuPercent: 50 } } }),
    path: "spec.autoscaling.minTasks",
    message: /required/,
    at: "autoscaling",
  },
  {
    reason: "a retention CloudWatch does not offer",
    text: specYaml({ spec: { logging: { retentionDays: 8 } } }),
    path: "spec.logging.retentionDays",
    message: /retention values: 1, 3, 5, 7, 14/,
    at: "8",
  },
  {
    reason: "a role that is not an IAM role ARN",
    text: specYaml({ spec: { task: { executionRoleArn: "ecsTaskExecutionRole" } } }),
    path: "spec.task.executionRoleArn",
    message: /IAM role ARN/,
    at: "ecsTaskExecutionRole",
  },
  {
    reason: "a missing execution role",
    text: specYaml({ spec: { task: { executionRoleArn: undefined } } }),
    path: "spec.task.executionRoleArn",
    message: /required: the IAM role ECS uses/,
    at: "task",
  },
  {
    reason: "a missing image",
    text: specYaml({ spec: { task: { container: { image: undefined, port: 8080 } } } }),
    path: "spec.task.container.image",
    message: /required: the image to run/,
    at: "container",
  },
  {
    reason: "a missing task section",
    text: specYaml({ spec: { task: undefined } }),
    path: "spec.task",
    message: /required/,
    at: "spec",
  },
  {
    reason: "an image reference with spaces",
    text: specYaml({ spec: { task: { container: { image: "my image" } } } }),
    path: "spec.task.container.image",
    message: /image reference/,
    at: "my image",
  },
  {
    reason: "a secret that is not an ARN",
    text: specYaml({ spec: { task: { container: { secrets: { DB_PASSWORD: "hunter2" } } } } }),
    path: "spec.task.container.secrets.DB_PASSWORD",
    message: /Secrets Manager or SSM parameter ARN/,
    at: "hunter2",
  },
  {
    reason: "an environment name a shell cannot export",
    text: specYaml({ spec: { task: { container: { environment: { "MY-VAR": "x" } } } } }),
    path: "spec.task.container.environment.MY-VAR",
    message: /environment names use letters/,
    at: "MY-VAR",
  },
  {
    reason: "the same variable in environment and secrets",
    text: specYaml({
      spec: {
        task: {
          container: {
            environment: { TOKEN: "x" },
            secrets: { TOKEN: "arn:aws:ssm:us-east-1:123456789012:parameter/token" },
          },
        },
      },
    }),
    path: "spec.task.container.secrets.TOKEN",
    message: /also set in environment/,
    at: "arn:aws:ssm",
  },
  {
    reason: "a load balancer in a single subnet",
    text: specYaml({ spec: { network: { loadBalancerSubnets: ["subnet-0abc1234"] } } }),
    path: "spec.network.loadBalancerSubnets",
    message: /at least two Availability Zones/,
    at: "- subnet-0abc1234",
  },
  {
    reason: "the same subnet twice",
    text: specYaml({ spec: { network: { taskSubnets: ["subnet-0abc1234", "subnet-0abc1234"] } } }),
    path: "spec.network.taskSubnets[1]",
    message: /listed twice/,
    at: "subnet-0abc1234",
  },
  {
    reason: "a VPC that is neither default nor an id",
    text: specYaml({ spec: { network: { vpc: "main" } } }),
    path: "spec.network.vpc",
    message: /"default" or a VPC id/,
    at: "main",
  },
  {
    reason: "a subnet that is not a subnet id",
    text: specYaml({ spec: { network: { taskSubnets: ["subnet-xyz", "subnet-0abc1234"] } } }),
    path: "spec.network.taskSubnets[0]",
    message: /subnet id/,
    at: "subnet-xyz",
  },
  {
    reason: "a tag in the ownership namespace",
    text: specYaml({ metadata: { tags: { "ecs-converge.io/service": "other" } } }),
    path: "metadata.tags.ecs-converge.io/service",
    message: /reserved for ownership tags/,
    at: "ecs-converge.io/service",
  },
  {
    reason: "a health check matcher that is not an HTTP code",
    text: specYaml({ spec: { loadBalancer: { healthCheck: { matcher: "OK" } } } }),
    path: "spec.loadBalancer.healthCheck.matcher",
    message: /HTTP codes/,
    at: "OK",
  },
  {
    reason: "a health check path that is not a path",
    text: specYaml({ spec: { loadBalancer: { healthCheck: { path: "health" } } } }),
    path: "spec.loadBalancer.healthCheck.path",
    message: /must start with "\/"/,
    at: "health",
  },
  {
    reason: "deployment bounds that leave no room to replace a task",
    text: specYaml({
      spec: { service: { deployment: { minimumHealthyPercent: 100, maximumPercent: 100 } } },
    }),
    path: "spec.service.deployment.maximumPercent",
    message: /greater than minimumHealthyPercent/,
    at: "100",
  },
  {
    reason: "a region that is not a region",
    text: specYaml({ spec: { region: "Virginia" } }),
    path: "spec.region",
    message: /AWS region like us-east-1/,
    at: "Virginia",
  },
  {
    reason: "a region shaped like one that AWS does not have",
    text: specYaml({ spec: { region: "us-east-9" } }),
    path: "spec.region",
    message: /^"us-east-9" is not an AWS region; did you mean "us-east-1"\?$/,
    at: "us-east-9",
  },
  {
    reason: "a made-up region far from any real one",
    text: specYaml({ spec: { region: "xy-nowhere-7" } }),
    path: "spec.region",
    message: /"xy-nowhere-7" is not an AWS region: use one like us-east-1/,
    at: "xy-nowhere-7",
  },
  {
    reason: "a merge key (YAML 1.1) would otherwise read as an unknown field named <<",
    text: specYaml().replace("spec:\n", "spec:\n  <<: {cluster: shared}\n"),
    path: "",
    message: /^merge keys \(<<\) are not supported: write the fields out$/,
    at: "<<",
  },
  {
    reason: "a boolean given as text",
    text: specYaml({ spec: { network: { assignPublicIp: "yes" } } }),
    path: "spec.network.assignPublicIp",
    message: /expected true or false, got a string/,
    at: "yes",
  },
];

describe("parseSpec rejects broken specs with file:line:col and path", () => {
  it.each(brokenCases)("$reason", ({ text, path, message, at }) => {
    const issues = errorsOf(text);
    const issue = issues.find((candidate) => candidate.path === path && message.test(candidate.message));
    expect(issue, `issues were:\n${issues.map(formatIssue).join("\n")}`).toBeDefined();
    if (!issue) return;
    expect(issue.file).toBe(FILE);
    expect(issue.line).toBeGreaterThanOrEqual(1);
    expect(issue.column).toBeGreaterThanOrEqual(1);
    expect(textAt(text, issue.line, issue.column).startsWith(at)).toBe(true);
    expect(formatIssue(issue)).toMatch(new RegExp(`^service\\.yaml:${issue.line}:${issue.column} `));
  });
});

describe("parseSpec", () => {
  it("reports every problem of a file at once, in file order", () => {
    const issues = errorsOf(
      specYaml({
        metadata: { name: "Bad_Name" },
        spec: {
          task: { cpu: 1024, memory: 512, container: { port: 0 } },
          autoscaling: { minTasks: 5, maxTasks: 1 },
        },
      }),
    );
    expect(issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining([
        "metadata.name",
        "spec.task.memory",
        "spec.task.container.port",
        "spec.autoscaling.maxTasks",
      ]),
    );
    const lines = issues.map((issue) => issue.line ?? 0);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it.each([
    {
      reason: "an unclosed [ swallows the lines below it",
      typo: (text: string) => text.replace("task:\n", "task: [\n"),
      at: "[",
      message: /^YAML syntax error: a \[ or \{ opened here is never closed/,
    },
    {
      reason: "a tab indents a line",
      typo: (text: string) => text.replace("    executionRoleArn", "\texecutionRoleArn"),
      at: "\texecutionRoleArn",
      message: /^YAML syntax error: a tab indents this line: indent with spaces$/,
    },
    {
      reason: "a quote that is never closed",
      typo: (text: string) => text.replace("name: web", 'name: "web'),
      at: "",
      message: /^YAML syntax error: Missing closing "quote$/,
    },
  ])("reports one YAML syntax error, once, where the typo is: $reason", ({ typo, at, message }) => {
    const text = typo(specYaml({ spec: { logging: { retentionDays: 7 }, service: { desiredCount: 3 } } }));
    const issues = errorsOf(text);
    expect(issues.map(formatIssue)).toHaveLength(1);
    expect(issues[0]?.message).toMatch(message);
    expect(textAt(text, issues[0]?.line, issues[0]?.column)).toMatch(
      new RegExp(`^${at.replace(/[[\]{}]/g, "\\$&")}`),
    );
  });

  it("never echoes a secret value in an error", () => {
    const secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db pass word";
    const issues = errorsOf(
      specYaml({ spec: { task: { container: { secrets: { DB: secret }, port: "x" } } } }),
    );
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) expect(formatIssue(issue)).not.toContain("pass word");
  });

  it("fills every default, including those derived from other fields", () => {
    const { spec: document } = parseSpec(specYaml(), FILE);
    expect(document.metadata).toEqual({ name: "web", tags: {}, adopt: false });
    const { spec } = document;
    expect(spec.cluster).toBe("web");
    expect(spec.driftPolicy).toBe("correct");
    expect(spec.network).toEqual({
      vpc: "default",
      loadBalancerSubnets: [],
      taskSubnets: [],
      assignPublicIp: true,
    });
    expect(spec.task).toMatchObject({ cpu: 256, memory: 512 });
    expect(spec.task.container).toEqual({
      name: "app",
      image: "registry.example.com/web:1.0.0",
      port: 3000,
      environment: {},
      secrets: {},
    });
    expect(spec.logging).toEqual({ logGroup: "/ecs/web", retentionDays: 30 });
    expect(spec.loadBalancer).toEqual({
      listenerPort: 80,
      healthCheck: {
        path: "/health",
        intervalSeconds: 30,
        timeoutSeconds: 5,
        healthyThreshold: 5,
        unhealthyThreshold: 2,
        matcher: "200",
      },
      deregistrationDelaySeconds: 30,
    });
    expect(spec.service).toEqual({
      desiredCount: 2,
      // 5 healthy checks 30 s apart take 150 s: the default grace period covers them.
      healthCheckGracePeriodSeconds: 150,
      deployment: {
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        circuitBreaker: { enable: true, rollback: true },
      },
    });
    expect(spec.autoscaling).toBeUndefined();
  });

  it("defaults the grace period to 60 s when the health check is quick", () => {
    const { spec } = parseSpec(
      specYaml({ spec: { loadBalancer: { healthCheck: { intervalSeconds: 10, healthyThreshold: 2 } } } }),
      FILE,
    );
    expect(spec.spec.service.healthCheckGracePeriodSeconds).toBe(60);
  });

  it("defaults task subnets to the load balancer's subnets", () => {
    const subnets = ["subnet-0abc1234", "subnet-0def5678"];
    const { spec } = parseSpec(specYaml({ spec: { network: { loadBalancerSubnets: subnets } } }), FILE);
    expect(spec.spec.network.taskSubnets).toEqual(subnets);
  });

  it("defaults desiredCount into autoscaling's bounds", () => {
    const { spec } = parseSpec(specYaml({ spec: { autoscaling: { minTasks: 3, maxTasks: 8 } } }), FILE);
    expect(spec.spec.service.desiredCount).toBe(3);
    expect(spec.spec.autoscaling).toEqual({
      minTasks: 3,
      maxTasks: 8,
      targetCpuPercent: 60,
      scaleInCooldownSeconds: 300,
      scaleOutCooldownSeconds: 60,
    });
  });

  it("passes numbers and booleans in environment as strings", () => {
    const { spec } = parseSpec(
      specYaml({ spec: { task: { container: { environment: { PORT: 8080, DEBUG: false } } } } }),
      FILE,
    );
    expect(spec.spec.task.container.environment).toEqual({ PORT: "8080", DEBUG: "false" });
  });

  it("reads YAML 1.2: yes and no are strings, not booleans", () => {
    const { spec } = parseSpec(
      specYaml({ spec: { task: { container: { environment: { FLAG: "yes" } } } } }).replace('"yes"', "yes"),
      FILE,
    );
    expect(spec.spec.task.container.environment.FLAG).toBe("yes");
  });

  it("refuses alias bombs instead of exhausting memory", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let level = 1; level <= 8; level++)
      bomb.push(
        `l${level}: &l${level} [${Array(10)
          .fill(level === 1 ? "*a" : `*l${level - 1}`)
          .join(", ")}]`,
      );
    const issues = errorsOf(bomb.join("\n"));
    expect(issues[0]?.message).toMatch(/cannot read the YAML|alias/i);
  });

  it("locates fields of a valid spec for later errors", () => {
    const text = specYaml({ spec: { network: { taskSubnets: ["subnet-0abc1234", "subnet-0def5678"] } } });
    const loaded = parseSpec(text, FILE);
    const where = loaded.locate(["spec", "network", "taskSubnets", 1]);
    expect(textAt(text, where.line, where.column).startsWith("subnet-0def5678")).toBe(true);
  });
});

describe("warnings", () => {
  const warningsOf = (text: string) => parseSpec(text, FILE).warnings;

  it("warns when the grace period is shorter than the time to pass the health check", () => {
    const text = specYaml({ spec: { service: { healthCheckGracePeriodSeconds: 30 } } });
    const [warning] = warningsOf(text);
    expect(warning).toMatchObject({
      severity: "warning",
      path: "spec.service.healthCheckGracePeriodSeconds",
    });
    expect(warning?.message).toMatch(/30 s is shorter than the 150 s .* Set it to at least 150/);
    expect(textAt(text, warning?.line, warning?.column).startsWith("30")).toBe(true);
  });

  it("warns about tasks without a public IP in the default public subnets", () => {
    const warnings = warningsOf(specYaml({ spec: { network: { assignPublicIp: false } } }));
    expect(warnings.map((warning) => warning.path)).toEqual(["spec.network.assignPublicIp"]);
  });

  it.each([
    ["no tag", "registry.example.com/web"],
    ["latest", "registry.example.com:5000/web:latest"],
  ])("warns about a mutable image tag (%s)", (_reason, image) => {
    const warnings = warningsOf(specYaml({ spec: { task: { container: { image } } } }));
    expect(warnings.map((warning) => warning.path)).toEqual(["spec.task.container.image"]);
  });

  it("does not warn about a registry port or a digest", () => {
    const digest = `registry.example.com:5000/web@sha256:${"a".repeat(64)}`;
    expect(warningsOf(specYaml({ spec: { task: { container: { image: digest } } } }))).toEqual([]);
  });

  it("says that autoscaling manages a desiredCount the spec sets, at the field", () => {
    const text = specYaml({
      spec: { service: { desiredCount: 3 }, autoscaling: { minTasks: 2, maxTasks: 6 } },
    });
    const [warning, ...others] = warningsOf(text);
    expect(others).toEqual([]);
    expect(warning).toMatchObject({ severity: "warning", path: "spec.service.desiredCount" });
    expect(warning?.message).toMatch(/^desiredCount is managed by autoscaling within \[2, 6\]: 3 is only/);
    expect(textAt(text, warning?.line, warning?.column).startsWith("3")).toBe(true);
  });

  it("leaves desiredCount alone without autoscaling, and when autoscaling fills it in", () => {
    expect(warningsOf(specYaml({ spec: { service: { desiredCount: 3 } } }))).toEqual([]);
    expect(warningsOf(specYaml({ spec: { autoscaling: { minTasks: 2, maxTasks: 6 } } }))).toEqual([]);
  });

  it("gives a spec of defaults no warnings", () => {
    expect(warningsOf(specYaml())).toEqual([]);
  });
});

describe("loading files and directories", () => {
  let directory: string | undefined;
  afterEach(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
    directory = undefined;
  });

  async function specDirectory(files: Record<string, string>): Promise<string> {
    directory = await mkdtemp(join(tmpdir(), "ecs-converge-specs-"));
    for (const [name, text] of Object.entries(files)) await writeFile(join(directory, name), text);
    return directory;
  }

  it("names a missing file", async () => {
    await expect(loadSpecFile("/nonexistent/service.yaml")).rejects.toThrow(
      /service\.yaml: no such file or directory/,
    );
  });

  it("loads every yaml file of a directory, each on its own", async () => {
    const dir = await specDirectory({
      "a.yaml": specYaml({ metadata: { name: "alpha" } }),
      "b.yml": specYaml({ metadata: { name: "beta" }, spec: { task: { cpu: 3 } } }),
      "notes.txt": "not a spec",
    });
    const results = await loadSpecPath(dir);
    expect(results.map((result) => [result.file, result.ok])).toEqual([
      [join(dir, "a.yaml"), true],
      [join(dir, "b.yml"), false],
    ]);
  });

  it("rejects both files when two name the same service", async () => {
    const dir = await specDirectory({
      "a.yaml": specYaml(),
      "b.yaml": specYaml(),
      "c.yaml": specYaml({ metadata: { name: "other" } }),
    });
    const results = await loadSpecPath(dir);
    expect(results.map((result) => result.ok)).toEqual([false, false, true]);
    const first = results[0];
    if (first?.ok !== false) throw new Error("expected a.yaml to be rejected");
    expect(formatIssue(first.error.issues[0] as SpecIssue)).toMatch(
      /a\.yaml:\d+:\d+ metadata\.name: service "web" is also defined in .*b\.yaml/,
    );
  });

  it("follows links: a Kubernetes ConfigMap volume, a file elsewhere; reports a loop; skips dot-entries", async () => {
    const dir = await specDirectory({});
    const elsewhere = await mkdtemp(join(tmpdir(), "ecs-converge-elsewhere-"));
    try {
      await mkdir(join(dir, "..2026_11_30_10_00_00.000000001"));
      await writeFile(join(dir, "..2026_11_30_10_00_00.000000001", "web.yaml"), specYaml());
      await symlink("..2026_11_30_10_00_00.000000001", join(dir, "..data"));
      await symlink(join("..data", "web.yaml"), join(dir, "web.yaml"));
      await writeFile(join(elsewhere, "api.yaml"), specYaml({ metadata: { name: "api" } }));
      await symlink(join(elsewhere, "api.yaml"), join(dir, "api.yaml"));
      await symlink("loop.yaml", join(dir, "loop.yaml"));
      await symlink(elsewhere, join(dir, "directory.yaml"));

      const results = await loadSpecPath(dir);

      expect(results.map((result) => [result.file, result.ok])).toEqual([
        [join(dir, "api.yaml"), true],
        [join(dir, "loop.yaml"), false],
        [join(dir, "web.yaml"), true],
      ]);
      const loop = results[1];
      if (loop?.ok !== false) throw new Error("expected loop.yaml to be refused");
      expect(loop.error.issues[0]?.message).toMatch(/symbolic link that leads back to itself/);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it("refuses a directory without specs", async () => {
    const dir = await specDirectory({ "readme.md": "# hi" });
    await expect(loadSpecPath(dir)).rejects.toThrow(/holds no \.yaml or \.yml spec files/);
  });
});

describe("hostile input is contained", () => {
  let directory: string | undefined;
  afterEach(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
    directory = undefined;
  });
  async function fileHolding(content: string | Uint8Array, name = "service.yaml"): Promise<string> {
    directory ??= await mkdtemp(join(tmpdir(), "ecs-converge-hostile-"));
    const file = join(directory, name);
    await writeFile(file, content);
    return file;
  }
  async function issuesOfFile(file: string): Promise<SpecIssue[]> {
    const error = await loadSpecFile(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SpecError);
    return [...(error as SpecError).issues];
  }
  /** Deterministic bytes that are almost certainly not UTF-8 (a linear congruential generator). */
  function randomBytes(length: number): Uint8Array {
    const bytes = new Uint8Array(length);
    let state = 42;
    for (let index = 0; index < length; index++) {
      state = (state * 1_103_515_245 + 12_345) >>> 0;
      bytes[index] = state >>> 24;
    }
    return bytes;
  }

  it("refuses a file over the size limit with its size, the limit and what to do", async () => {
    const environment = Object.fromEntries(
      Array.from({ length: 12_000 }, (_, index) => [`VARIABLE_${index}`, "value"]),
    );
    const file = await fileHolding(specYaml({ spec: { task: { container: { environment } } } }));
    const issues = await issuesOfFile(file);
    expect(issues).toHaveLength(1);
    expect(formatIssue(issues[0] as SpecIssue)).toMatch(
      new RegExp(`^${file}: is \\d+\\.\\d KiB \\(\\d+ bytes\\); a spec file may be at most 256 KiB: .*move`),
    );
  });

  it("refuses a huge file by its size, without reading it", async () => {
    // Sparse: a gibibyte on paper, nothing on disk. Reading it whole would take a gibibyte of memory.
    const file = await fileHolding("");
    await truncate(file, 1024 ** 3);
    const issues = await issuesOfFile(file);
    expect(issues.map(formatIssue)).toEqual([expect.stringMatching(/is 1\.0 GiB .*at most 256 KiB/)]);
  });

  it.skipIf(!existsSync("/dev/zero"))("reads no more than the limit from a file without a size", async () => {
    const issues = await issuesOfFile("/dev/zero");
    expect(issues.map(formatIssue)).toEqual([expect.stringMatching(/more than 256 KiB/)]);
  });

  it("gives random bytes one problem: not valid UTF-8, at which byte", async () => {
    const file = await fileHolding(randomBytes(200 * 1024));
    const issues = await issuesOfFile(file);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/^is not valid UTF-8 at byte \d+: save it as UTF-8 text$/);
  });

  it("says where the first invalid byte is", async () => {
    const text = Buffer.from(specYaml());
    const bytes = Buffer.concat([text.subarray(0, 20), Buffer.from([0xc3, 0x28]), text.subarray(20)]);
    const issues = await issuesOfFile(await fileHolding(bytes));
    expect(issues).toMatchObject([{ line: 1, message: expect.stringMatching(/at byte 20:/) }]);
  });

  it("calls a file with NUL bytes not a text file, and names UTF-16", async () => {
    const binary = await issuesOfFile(await fileHolding(Buffer.from("apiVersion: x\n\0\0\0\n")));
    expect(binary).toMatchObject([{ line: 2, message: expect.stringMatching(/^is not a text file/) }]);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(specYaml(), "utf16le")]);
    const wide = await issuesOfFile(await fileHolding(utf16));
    expect(wide).toMatchObject([{ message: expect.stringMatching(/UTF-16.*save it as UTF-8/) }]);
  });

  it("reads a UTF-8 file with a byte order mark and non-ASCII text", async () => {
    const environment = { GREETING: "Grüß dich 🚀" };
    const text = `\uFEFF${specYaml({ spec: { task: { container: { environment } } } })}`;
    const { spec } = await loadSpecFile(await fileHolding(text));
    expect(spec.spec.task.container.environment).toEqual(environment);
  });

  it.each([
    ["flow sequences", `${"[".repeat(100_000)}${"]".repeat(100_000)}`, 1],
    ["flow mappings", `${"{a: ".repeat(20_000)}1${"}".repeat(20_000)}`, 1],
    [
      "block mappings",
      Array.from({ length: 2_000 }, (_, depth) => `${" ".repeat(depth)}k:`).join("\n"),
      MAX_NESTING_DEPTH + 1,
    ],
    ["block sequences", `${"- ".repeat(5_000)}x\n`, 1],
  ])("gives %s nested too deep one error at the line where it happens", (_reason, text, line) => {
    const issues = errorsOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      line,
      path: "",
      message: `nested more than ${MAX_NESTING_DEPTH} levels deep: a spec needs a handful; flatten it`,
    });
  });

  it("accepts nesting up to the limit", () => {
    const text = `apiVersion: ${"[".repeat(MAX_NESTING_DEPTH - 1)}${"]".repeat(MAX_NESTING_DEPTH - 1)}\n`;
    const issues = errorsOf(text);
    expect(issues.map((issue) => issue.message)).not.toContainEqual(expect.stringMatching(/nested/));
  });

  it("finds duplicate keys at any depth, pointing at the second", () => {
    const text = specYaml({ spec: { task: { container: { environment: { A: "1", B: "2" } } } } });
    const doubled = text.replace("B: ", "A: ");
    const issues = errorsOf(doubled);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/^duplicate key "A" \(first on line \d+\): keep one of them$/);
    expect(textAt(doubled, issues[0]?.line, issues[0]?.column).startsWith("A: ")).toBe(true);
    expect(textAt(doubled, issues[0]?.line, 1).trim()).toBe('A: "2"');
  });

  it(`lists at most ${MAX_ISSUES_PER_FILE} problems of a file, and how many more there are`, () => {
    const unknown = Object.fromEntries(Array.from({ length: 300 }, (_, index) => [`field${index}`, 1]));
    const error = (() => {
      try {
        parseSpec(specYaml({ spec: unknown }), FILE);
      } catch (caught) {
        return caught as SpecError;
      }
      throw new Error("expected the spec to be invalid");
    })();
    expect(error.issues).toHaveLength(MAX_ISSUES_PER_FILE + 1);
    expect(error.count).toBe(300);
    expect(formatIssue(error.issues[MAX_ISSUES_PER_FILE] as SpecIssue)).toBe(
      `${FILE}: … and 250 more problems: fix the ones above first`,
    );
  });
});
