/**
 * Each way AWS credentials can be misconfigured gets its own cause and fix from the CLI, not a shared
 * "no AWS credentials found": configured through temporary shared config files, as a user would, with
 * the SDK's real provider chain. AWS is never reached: the chain fails before the first request.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../controller/cli/program.ts";
import { captureStreams } from "../controller/cli/test-streams.ts";
import { specYaml } from "../specs/test-builders.ts";

let directory: string;
let spec: string;
const savedEnvironment = { ...process.env };

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "ecs-converge-credentials-"));
  spec = join(directory, "service.yaml");
  await writeFile(spec, specYaml());
});
afterAll(async () => {
  process.env = savedEnvironment;
  await rm(directory, { recursive: true, force: true });
});

const CONFIG = `[default]
region = us-east-1

[profile other]
region = eu-west-1

[profile sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Admin

[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1

[profile legacy-sso]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = Admin

[profile broken-process]
credential_process = sh -c "echo 'stderr-of-the-process' >&2; exit 3"

[profile half-key]
region = us-east-1

[profile ci]
role_arn = arn:aws:iam::123456789012:role/ci
web_identity_token_file = /nonexistent/ecs-converge/profile-token
`;

const CREDENTIALS = `[half-key]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
`;

/** plan against an address nothing answers on, in an environment of only what the case sets. */
async function planWith(caseName: string, environment: Record<string, string | undefined>) {
  const home = join(directory, caseName);
  const configFile = join(directory, `${caseName}.config`);
  const credentialsFile = join(directory, `${caseName}.credentials`);
  await writeFile(configFile, CONFIG);
  await writeFile(credentialsFile, CREDENTIALS);
  process.env = {
    PATH: savedEnvironment.PATH,
    HOME: home,
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    ...environment,
  };
  const streams = captureStreams();
  const code = await runCli(["plan", "-f", spec], streams);
  return { code, stderr: streams.stderrText() };
}

describe("credential problems name their cause and fix", () => {
  it.each([
    {
      reason: "an AWS_PROFILE no file defines",
      environment: { AWS_PROFILE: "prod" },
      message: /^error: AWS profile "prod" \(AWS_PROFILE\) is not in .*\.config or .*\.credentials$/m,
      hint: /one of the profiles there \(default, other, sso, legacy-sso, broken-process, half-key, ci\)/,
    },
    {
      reason: "an SSO profile (sso-session) that is not logged in",
      environment: { AWS_PROFILE: "sso" },
      message:
        /^error: AWS profile "sso" signs in through IAM Identity Center \(SSO\) and has no valid session/m,
      hint: /aws sso login --profile sso$/m,
    },
    {
      reason: "a legacy SSO profile that is not logged in",
      environment: { AWS_PROFILE: "legacy-sso" },
      message: /^error: AWS profile "legacy-sso" signs in through IAM Identity Center/m,
      hint: /aws sso login --profile legacy-sso$/m,
    },
    {
      reason: "a credential_process that fails",
      environment: { AWS_PROFILE: "broken-process" },
      message:
        /^error: AWS profile "broken-process" gets its credentials from credential_process, and that command failed$/m,
      hint: /run the profile's credential_process .* yourself to see why/,
    },
    {
      reason: "a profile with a key id and no secret",
      environment: { AWS_PROFILE: "half-key" },
      message: /^error: AWS profile "half-key" sets aws_access_key_id but not aws_secret_access_key/m,
      hint: /add aws_secret_access_key to the profile/,
    },
    {
      reason: "a key id in the environment without its secret",
      environment: { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE" },
      message: /^error: the environment sets AWS_ACCESS_KEY_ID but not AWS_SECRET_ACCESS_KEY/m,
      hint: /set AWS_SECRET_ACCESS_KEY too/,
    },
    {
      reason: "a web identity token file that is missing (EKS, CI)",
      environment: {
        AWS_WEB_IDENTITY_TOKEN_FILE: "/nonexistent/ecs-converge/token",
        AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/ci",
      },
      message:
        /^error: AWS_WEB_IDENTITY_TOKEN_FILE names a file that does not exist: \/nonexistent\/ecs-converge\/token$/m,
      hint: /IRSA/,
    },
    {
      reason: "a profile's web identity token file that is missing",
      environment: { AWS_PROFILE: "ci" },
      message:
        /^error: the web identity token file of AWS profile "ci" does not exist: \/nonexistent\/ecs-converge\/profile-token$/m,
      hint: /OIDC token/,
    },
  ])("$reason", async ({ reason, environment, message, hint }) => {
    const { code, stderr } = await planWith(reason.replace(/\W+/g, "-"), environment);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(hint);
    expect(stderr).not.toMatch(/no AWS credentials found|this is unexpected/);
    expect(stderr).not.toContain("AKIAIOSFODNN7EXAMPLE");
    expect(stderr).not.toContain("stderr-of-the-process");
  });

  it("names an unknown AWS_PROFILE, not the missing region, when the spec leaves the region to it", async () => {
    const regionless = join(directory, "regionless.yaml");
    await writeFile(regionless, specYaml().replace(/^\s*region: us-east-1\n/m, ""));
    process.env = {
      PATH: savedEnvironment.PATH,
      HOME: join(directory, "regionless-home"),
      AWS_CONFIG_FILE: join(directory, "regionless.config"),
      AWS_SHARED_CREDENTIALS_FILE: join(directory, "regionless.credentials"),
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_PROFILE: "prod",
    };
    await writeFile(join(directory, "regionless.config"), CONFIG);
    await writeFile(join(directory, "regionless.credentials"), CREDENTIALS);
    const streams = captureStreams();
    const code = await runCli(["plan", "-f", regionless], streams);
    expect(code).toBe(1);
    expect(streams.stderrText()).toMatch(/^error: AWS profile "prod" \(AWS_PROFILE\) is not in /m);
    expect(streams.stderrText()).toMatch(/the region comes from the profile too/);
  });

  it("still says no credentials were found when nothing is configured at all", async () => {
    const { code, stderr } = await planWith("nothing", {});
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: no AWS credentials found$/m);
  });
});
