/**
 * Listener actions: forward, fixed-response and redirect. A forward action can be written with
 * `TargetGroupArn`, `ForwardConfig` or both; it is kept in one form and read back in both, as AWS does.
 */
import { AwsError } from "../../errors.ts";
import type { Input } from "../../protocols/input.ts";
import type { RegionState } from "../../world.ts";
import { loadBalancerArnsOf } from "./associations.ts";
import {
  invalidConfiguration,
  optionalEnum,
  optionalIntIn,
  read,
  structures,
  validationError,
} from "./errors.ts";
import type { ListenerAction, LoadBalancer, TargetGroupTuple } from "./state.ts";
import { targetGroupByArn } from "./target-groups.ts";

const MAX_TARGET_GROUPS_PER_ACTION = 5;

/**
 * The `DefaultActions` of a CreateListener or ModifyListener call, or the `Actions` of a rule,
 * checked against `loadBalancer`.
 */
export function readActions(
  region: RegionState,
  actions: Input[],
  loadBalancer: LoadBalancer,
  owner: "listener" | "rule" = "listener",
): ListenerAction[] {
  const list = owner === "listener" ? "default actions" : "actions";
  if (actions.length === 0) throw validationError(`At least one ${list.slice(0, -1)} must be specified`);
  const parsed = actions.map(readAction);
  // Only routing actions exist here (authentication ones are refused), and a listener or rule routes once.
  if (parsed.length !== 1) {
    throw validationError(
      `A ${owner} needs exactly one routing action (forward, fixed-response or redirect) among its ${list}`,
    );
  }
  for (const action of parsed) {
    if (action.type === "forward") checkTargetGroups(region, action.targetGroups, loadBalancer);
  }
  return parsed;
}

function readAction(action: Input): ListenerAction {
  const args = read(action);
  const type = optionalEnum(args, "Type", [
    "forward",
    "fixed-response",
    "redirect",
    "authenticate-oidc",
    "authenticate-cognito",
    "jwt-validation",
  ]);
  if (type === undefined) throw validationError("An action type must be specified");
  const order = optionalIntIn(args, "Order", 1, 50_000);
  switch (type) {
    case "forward":
      return { type, order, ...readForward(action) };
    case "fixed-response": {
      const config = stringFields(args.optionalObject("FixedResponseConfig"), "FixedResponseConfig");
      if (!/^[245]\d\d$/.test(config.StatusCode ?? ""))
        throw validationError("A fixed-response action needs a 2XX, 4XX or 5XX StatusCode");
      return { type, order, config };
    }
    case "redirect": {
      const config = stringFields(args.optionalObject("RedirectConfig"), "RedirectConfig");
      if (config.StatusCode !== "HTTP_301" && config.StatusCode !== "HTTP_302")
        throw validationError("A redirect action needs StatusCode HTTP_301 or HTTP_302");
      // Components left out keep the request's own value, which AWS reads back as its placeholder.
      return {
        type,
        order,
        config: {
          Protocol: "#{protocol}",
          Port: "#{port}",
          Host: "#{host}",
          Path: "/#{path}",
          Query: "#{query}",
          ...config,
        },
      };
    }
    default:
      throw validationError(`The emulator does not support '${type}' actions`);
  }
}

function readForward(
  action: Input,
): Pick<Extract<ListenerAction, { type: "forward" }>, "targetGroups" | "stickiness"> {
  const args = read(action);
  const single = args.optionalString("TargetGroupArn");
  const config = args.optionalObject("ForwardConfig");
  const configArgs = config ? read(config) : undefined;
  const tuples: TargetGroupTuple[] = (configArgs ? structures(configArgs, "TargetGroups") : []).map(
    (tuple) => {
      const tupleArgs = read(tuple);
      return {
        targetGroupArn: tupleArgs.string("TargetGroupArn"),
        weight: optionalIntIn(tupleArgs, "Weight", 0, 999) ?? 1,
      };
    },
  );
  if (single === undefined && tuples.length === 0)
    throw validationError("A target group ARN must be specified");
  if (
    single !== undefined &&
    tuples.length > 0 &&
    (tuples.length !== 1 || tuples[0]?.targetGroupArn !== single)
  ) {
    throw validationError(
      "When both TargetGroupArn and ForwardConfig are given, ForwardConfig must name that one target group only",
    );
  }
  if (tuples.length > MAX_TARGET_GROUPS_PER_ACTION)
    throw new AwsError(
      "TooManyTargetGroups",
      `A forward action can name at most ${MAX_TARGET_GROUPS_PER_ACTION} target groups`,
    );
  if (new Set(tuples.map((tuple) => tuple.targetGroupArn)).size !== tuples.length)
    throw validationError("A forward action cannot name the same target group twice");
  const stickinessInput = configArgs?.optionalObject("TargetGroupStickinessConfig");
  const stickinessArgs = stickinessInput ? read(stickinessInput) : undefined;
  const enabled = stickinessArgs?.optionalBool("Enabled") ?? false;
  const durationSeconds = stickinessArgs
    ? optionalIntIn(stickinessArgs, "DurationSeconds", 1, 604_800)
    : undefined;
  if (enabled && durationSeconds === undefined)
    throw validationError("Target group stickiness needs DurationSeconds when enabled");
  return {
    targetGroups: tuples.length > 0 ? tuples : [{ targetGroupArn: single ?? "", weight: 1 }],
    stickiness: { enabled, durationSeconds: enabled ? durationSeconds : undefined },
  };
}

/** Every group exists, lives in the load balancer's VPC, and serves no other load balancer. */
function checkTargetGroups(
  region: RegionState,
  tuples: TargetGroupTuple[],
  loadBalancer: LoadBalancer,
): void {
  for (const { targetGroupArn } of tuples) {
    const group = targetGroupByArn(region, targetGroupArn);
    if (group.vpcId !== loadBalancer.vpcId) {
      throw invalidConfiguration(
        `Target group '${targetGroupArn}' is in VPC '${group.vpcId}', not in the load balancer's VPC '${loadBalancer.vpcId}'`,
      );
    }
    const others = loadBalancerArnsOf(region.elbv2, targetGroupArn).filter((arn) => arn !== loadBalancer.arn);
    if (others.length > 0) {
      throw new AwsError(
        "TargetGroupAssociationLimit",
        `The following target groups cannot be associated with more than one load balancer: ${targetGroupArn}`,
      );
    }
  }
}

function stringFields(config: Input | undefined, name: string): Record<string, string> {
  if (!config) throw validationError(`${name} must be specified for this action type`);
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (typeof value !== "string") throw validationError(`${name}.${key} must be a string`);
    fields[key] = value;
  }
  return fields;
}

/** An action as DescribeListeners shows it: a forward action both with and without ForwardConfig. */
export function describeAction(action: ListenerAction) {
  const order = action.order === undefined ? {} : { Order: action.order };
  switch (action.type) {
    case "forward":
      return {
        Type: action.type,
        ...(action.targetGroups.length === 1
          ? { TargetGroupArn: action.targetGroups[0]?.targetGroupArn }
          : {}),
        ...order,
        ForwardConfig: {
          TargetGroups: action.targetGroups.map((tuple) => ({
            TargetGroupArn: tuple.targetGroupArn,
            Weight: tuple.weight,
          })),
          TargetGroupStickinessConfig: {
            Enabled: action.stickiness.enabled,
            DurationSeconds: action.stickiness.durationSeconds,
          },
        },
      };
    case "fixed-response":
      return { Type: action.type, ...order, FixedResponseConfig: action.config };
    case "redirect":
      return { Type: action.type, ...order, RedirectConfig: action.config };
  }
}
