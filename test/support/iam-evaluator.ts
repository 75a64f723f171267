/**
 * A small, faithful subset of IAM policy evaluation, enough to prove the controller's policy against
 * real calls: Allow and Deny statements (an explicit Deny wins, no matching Allow is an implicit deny),
 * Action and Resource with `*` and `?` wildcards (actions case-insensitively, ARNs component by
 * component as ArnLike does), and the condition operators the policy uses: StringEquals, StringLike,
 * ForAllValues:StringEquals, ForAllValues:StringLike, Null and ArnLike. Anything else (NotAction, other operators, IfExists) is
 * refused rather than guessed at, so a policy using it cannot pass by accident.
 */

export type ContextValue = string | readonly string[];

/** One authorization: an action on one resource (an ARN, or `*` for actions without resource-level permissions). */
export interface AuthorizationRequest {
  action: string;
  resource: string;
  /** Condition keys (`aws:RequestTag/team`, `aws:TagKeys`, `iam:PassedToService`, …). */
  context: Record<string, ContextValue>;
}

export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string | readonly string[];
  Resource?: string | readonly string[];
  Condition?: Record<string, Record<string, string | readonly string[]>>;
}

export interface Policy {
  Version: string;
  Statement: readonly Statement[];
}

export type Decision =
  | { effect: "Allow"; statement: string }
  | { effect: "Deny"; statement: string }
  | { effect: "ImplicitDeny" };

const SUPPORTED_ELEMENTS = new Set(["Sid", "Effect", "Action", "Resource", "Condition"]);

/** Evaluates one request against one identity policy. */
export function evaluate(policy: Policy, request: AuthorizationRequest): Decision {
  let allowedBy: string | undefined;
  for (const [index, statement] of policy.Statement.entries()) {
    for (const key of Object.keys(statement))
      if (!SUPPORTED_ELEMENTS.has(key)) throw new Error(`statement ${index}: ${key} is not supported`);
    if (!statementApplies(statement, request)) continue;
    const name = statement.Sid ?? `#${index}`;
    if (statement.Effect === "Deny") return { effect: "Deny", statement: name };
    allowedBy ??= name;
  }
  return allowedBy === undefined ? { effect: "ImplicitDeny" } : { effect: "Allow", statement: allowedBy };
}

const asList = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === "string" ? [value] : value;

function statementApplies(statement: Statement, request: AuthorizationRequest): boolean {
  const actionMatches = asList(statement.Action).some((pattern) =>
    globMatch(pattern.toLowerCase(), request.action.toLowerCase()),
  );
  if (!actionMatches) return false;
  if (!asList(statement.Resource).some((pattern) => arnMatches(pattern, request.resource))) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) =>
      conditionHolds(operator, contextValue(request.context, key), asList(values)),
    ),
  );
}

/** Condition key names are case-insensitive. */
function contextValue(context: Record<string, ContextValue>, key: string): readonly string[] | undefined {
  const wanted = key.toLowerCase();
  for (const [name, value] of Object.entries(context))
    if (name.toLowerCase() === wanted) return typeof value === "string" ? [value] : value;
  return undefined;
}

function conditionHolds(
  operator: string,
  present: readonly string[] | undefined,
  values: readonly string[],
): boolean {
  switch (operator) {
    case "StringEquals":
      return present?.some((value) => values.includes(value)) ?? false;
    case "StringLike":
      return present?.some((value) => values.some((pattern) => globMatch(pattern, value))) ?? false;
    case "ArnLike":
      return present?.some((value) => values.some((pattern) => arnMatches(pattern, value))) ?? false;
    // Every value in the request is one of the listed (true when the request has none).
    case "ForAllValues:StringEquals":
      return (present ?? []).every((value) => values.includes(value));
    case "ForAllValues:StringLike":
      return (present ?? []).every((value) => values.some((pattern) => globMatch(pattern, value)));
    case "Null": {
      if (values.length !== 1 || (values[0] !== "true" && values[0] !== "false"))
        throw new Error(`Null takes "true" or "false", not ${JSON.stringify(values)}`);
      return (present === undefined) === (values[0] === "true");
    }
    default:
      throw new Error(`condition operator ${operator} is not supported`);
  }
}

/** `*` matches any run of characters, `?` any one. */
export function globMatch(pattern: string, value: string): boolean {
  const expression = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${expression}$`, "s").test(value);
}

/** ArnLike: the six colon-separated parts are matched one by one (the resource part keeps its colons). */
export function arnMatches(pattern: string, resource: string): boolean {
  if (pattern === "*") return true;
  const patternParts = arnParts(pattern);
  const resourceParts = arnParts(resource);
  if (!patternParts || !resourceParts) return pattern === resource;
  return patternParts.every((part, index) => globMatch(part, resourceParts[index] as string));
}

function arnParts(arn: string): string[] | undefined {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(":")];
}
