/**
 * `ecs-converge iam-policy [-f <file|dir>] [--name-prefix <prefix>] [--pass-role <arn>…]
 * [--lease-table <name>] [--adopt]`: the least-privilege policy the controller needs, as JSON, scoped
 * to exactly the specs (`-f`), or to the services whose names start with a prefix.
 */
import { SERVICE_NAME_MAX } from "../../../specs/index.ts";
import {
  DEFAULT_PASS_ROLE_PATTERN,
  DEFAULT_SCOPE,
  INLINE_POLICIES_MAX_CHARS,
  iamPolicyDocument,
  MANAGED_POLICY_MAX_CHARS,
  type PolicyScope,
  policySize,
  scopeOfSpecs,
} from "../../aws/iam-policy.ts";
import { loadValidSpecs } from "../aws-session.ts";
import { CliError } from "../cli-error.ts";
import { ExitCode } from "../exit-codes.ts";
import { type CliStreams, TerminalWriter } from "../terminal.ts";

export interface IamPolicyOptions {
  file?: string;
  namePrefix?: string;
  passRole?: string[];
  leaseTable?: string;
  adopt?: boolean;
}

/** The start of a service name: a lowercase letter, then lowercase letters, digits and hyphens. */
const NAME_PREFIX = /^[a-z][a-z0-9-]*$/;
/** DynamoDB table names: 3–255 of letters, digits, `_`, `-` and `.`. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
/** A role ARN, wildcards allowed (`arn:aws:iam::123456789012:role/app-*`). */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}|\*):role\/[\w+=,.@/*?-]+$/;

export async function iamPolicyCommand(options: IamPolicyOptions, streams: CliStreams): Promise<ExitCode> {
  const scope = await scopeFrom(options);
  const document = iamPolicyDocument(scope);
  new TerminalWriter(streams.stdout).json(document);
  const err = new TerminalWriter(streams.stderr);
  const size = policySize(document);
  if (size > INLINE_POLICIES_MAX_CHARS)
    err.line(
      `warning: the policy is ${size} characters, over the ${INLINE_POLICIES_MAX_CHARS} IAM allows a role's inline policies: split the specs between controllers, or use --name-prefix`,
    );
  else if (size > MANAGED_POLICY_MAX_CHARS)
    err.line(
      `note: the policy is ${size} characters, over the ${MANAGED_POLICY_MAX_CHARS} of a managed policy: attach it inline (aws iam put-role-policy)`,
    );
  if (scope.passRoles.includes(DEFAULT_PASS_ROLE_PATTERN))
    err.line(
      `note: iam:PassRole is limited to roles named ecs-converge-*; use -f <specs> or --pass-role <arn> for the roles your specs name`,
    );
  if (scope.leaseTable === undefined)
    err.line(
      "note: no DynamoDB permission: add --lease-table <name> for replicas that share leases (run --lease-table)",
    );
  return ExitCode.Ok;
}

async function scopeFrom(options: IamPolicyOptions): Promise<PolicyScope> {
  if (options.file !== undefined && options.namePrefix !== undefined)
    throw new CliError("iam-policy: -f and --name-prefix both set the services the policy covers", {
      hint: "use -f for exactly the specs' services, or --name-prefix for every service whose name starts with it",
    });
  const leaseTable = options.leaseTable;
  if (leaseTable !== undefined && !TABLE_NAME.test(leaseTable))
    throw new CliError(`--lease-table ${JSON.stringify(leaseTable)} is not a DynamoDB table name`, {
      hint: "use 3-255 letters, digits, '_', '-' or '.'",
    });
  for (const role of options.passRole ?? [])
    if (!ROLE_ARN.test(role))
      throw new CliError(`--pass-role ${JSON.stringify(role)} is not an IAM role ARN`, {
        hint: "write it as arn:aws:iam::123456789012:role/name (wildcards * and ? allowed)",
      });
  const extraRoles = options.passRole ?? [];
  const withLeases = leaseTable === undefined ? {} : { leaseTable };

  if (options.file !== undefined) {
    const scope = scopeOfSpecs(
      (await loadValidSpecs(options.file)).map((loaded) => loaded.spec),
      leaseTable,
    );
    return {
      ...scope,
      passRoles: [...new Set([...scope.passRoles, ...extraRoles])],
      adoption: scope.adoption || options.adopt === true,
    };
  }
  const prefix = options.namePrefix;
  if (prefix !== undefined && (!NAME_PREFIX.test(prefix) || prefix.length > SERVICE_NAME_MAX))
    throw new CliError(`--name-prefix ${JSON.stringify(prefix)} cannot begin a service name`, {
      hint: `service names start with a lowercase letter, then lowercase letters, digits and '-', at most ${SERVICE_NAME_MAX} in all`,
    });
  return {
    ...DEFAULT_SCOPE,
    ...(prefix === undefined ? {} : { services: [`${prefix}*`] }),
    passRoles: extraRoles.length > 0 ? extraRoles : DEFAULT_SCOPE.passRoles,
    ...withLeases,
    adoption: options.adopt === true,
  };
}
