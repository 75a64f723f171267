import { describe, expect, it } from "vitest";
import { parseSpec } from "../../specs/index.ts";
import { specYaml } from "../../specs/test-builders.ts";
import { SpecReferenceError } from "../engine/network.ts";
import { OwnershipConflictError } from "../engine/ownership-check.ts";
import { explainFailure } from "./aws-session.ts";
import { CliError } from "./cli-error.ts";

const loaded = parseSpec(specYaml(), "service.yaml");

/** An error shaped like the SDK's: a name (the AWS code) and response metadata. */
const awsError = (name: string, message: string) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
const networkError = (code: string) =>
  Object.assign(new Error(`getaddrinfo ${code} ecs.us-east-9.amazonaws.com`), { code });

describe("explainFailure turns what a user can fix into one line with a hint", () => {
  it.each([
    [
      "access denied",
      awsError("AccessDeniedException", "User is not authorized to perform: ecs:CreateService"),
      /AWS denied access: User is not authorized/,
      /iam-policy/,
    ],
    [
      "an EC2 unauthorized operation",
      awsError("UnauthorizedOperation", "You are not authorized"),
      /AWS denied access/,
      /iam-policy/,
    ],
    [
      "no credentials",
      Object.assign(new Error("Could not load credentials from any providers"), {
        name: "CredentialsProviderError",
      }),
      /no AWS credentials found/,
      /AWS_PROFILE/,
    ],
    [
      "a region without an endpoint",
      networkError("ENOTFOUND"),
      /cannot reach AWS for service "web"/,
      /check the region/,
    ],
    [
      "a spec reference",
      new SpecReferenceError(
        ["spec", "network", "vpc"],
        "vpc-0abc does not exist in us-east-1",
        "check the VPC id",
      ),
      /^service\.yaml:\d+:\d+ spec\.network\.vpc: vpc-0abc does not exist/,
      /check the VPC id/,
    ],
    [
      "a name owned by someone else",
      new OwnershipConflictError([
        { resource: "LoadBalancer", name: "web", id: "arn:lb", ownership: "unowned" },
      ]),
      /LoadBalancer web \(arn:lb\) exists but is not managed by ecs-converge/,
      /metadata\.adopt/,
    ],
  ])("%s", (_reason, error, message, hint) => {
    const explained = explainFailure(error, loaded, { file: "service.yaml" });
    expect(explained).toBeInstanceOf(CliError);
    expect((explained as CliError).message).toMatch(message);
    expect((explained as CliError).hint).toMatch(hint);
  });

  it("says the emulator is not running when --local cannot connect", () => {
    const explained = explainFailure(
      Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
      loaded,
      { file: "service.yaml", local: true },
    );
    expect((explained as CliError).message).toMatch(
      /the emulator is not running at http:\/\/127\.0\.0\.1:4566/,
    );
  });

  it("leaves anything else as it is (a bug to report, not a user's mistake)", () => {
    const unexpected = new TypeError("cannot read properties of undefined");
    expect(explainFailure(unexpected, loaded, { file: "service.yaml" })).toBe(unexpected);
  });
});
