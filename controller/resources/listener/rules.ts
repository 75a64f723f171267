/**
 * Listener rules. The controller creates none: every request goes to the listener's default action.
 * Rules someone else adds to our listener are theirs. They are never changed, and since deleting a
 * listener (or its load balancer) deletes its rules, a listener holding one is never deleted either.
 * Reading rules costs a call per listener, so they are read only where a deletion depends on them.
 */
import { type Action, DescribeRulesCommand, type Rule } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AwsClients } from "../../aws/clients.ts";
import type { ElbTagReader } from "../../aws/elb-tags.ts";
import { isNotFound } from "../../aws/errors.ts";
import { type Ownership, ownershipOf } from "../../ownership.ts";

export interface ObservedRule {
  arn: string;
  listenerArn: string;
  /** As AWS writes it: a number as a string. */
  priority: string;
  /** Every target group the rule's forward actions name. */
  forwardTo: string[];
  tags: Record<string, string>;
  ownership: Ownership;
}

/** Rules read so far, by listener ARN; a listener missing here has not been read. */
export type RulesByListener = ReadonlyMap<string, readonly ObservedRule[]>;

/** Every target group the actions forward to, however AWS spelled the forward. */
export function forwardTargets(actions: readonly Action[] = []): string[] {
  return actions
    .filter((action) => action.Type === "forward")
    .flatMap((action) => [
      ...(action.TargetGroupArn ? [action.TargetGroupArn] : []),
      ...(action.ForwardConfig?.TargetGroups ?? []).map((tuple) => tuple.TargetGroupArn ?? ""),
    ])
    .filter((arn, index, all) => arn !== "" && all.indexOf(arn) === index);
}

/** How plans name a rule, which has no name of its own: its listener and priority. */
export const ruleName = (listenerName: string, rule: ObservedRule) =>
  `${listenerName} priority ${rule.priority}`;

async function describeRules(clients: AwsClients, listenerArn: string): Promise<Rule[]> {
  const rules: Rule[] = [];
  let marker: string | undefined;
  do {
    const page = await clients.elbv2.send(
      new DescribeRulesCommand({ ListenerArn: listenerArn, Marker: marker }),
    );
    rules.push(...(page.Rules ?? []));
    marker = page.NextMarker;
  } while (marker);
  return rules;
}

/** The rules of one listener besides its default rule (which is the listener itself), with tags. */
async function observeRules(
  clients: AwsClients,
  tags: ElbTagReader,
  service: string,
  listenerArn: string,
): Promise<ObservedRule[]> {
  let rules: Rule[];
  try {
    rules = await describeRules(clients, listenerArn);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
  return Promise.all(
    rules
      .filter((rule) => !rule.IsDefault)
      .map(async (rule) => {
        const found = await tags.tagsOf(rule.RuleArn ?? "");
        return {
          arn: rule.RuleArn ?? "",
          listenerArn,
          priority: rule.Priority ?? "",
          forwardTo: forwardTargets(rule.Actions),
          tags: found,
          ownership: ownershipOf(found, service),
        };
      }),
  );
}

/** The rules of each listener named, read in parallel (their tags in shared batches). */
export async function observeRulesOf(
  clients: AwsClients,
  tags: ElbTagReader,
  service: string,
  listenerArns: readonly string[],
): Promise<Map<string, ObservedRule[]>> {
  const read = await Promise.all(
    listenerArns.map(async (arn) => [arn, await observeRules(clients, tags, service, arn)] as const),
  );
  return new Map(read);
}

/** The rules not ours among those read: what stays, and keeps whatever it lives on or forwards to. */
export const foreignRules = (rules: RulesByListener): ObservedRule[] =>
  [...rules.values()].flat().filter((rule) => rule.ownership !== "ours");
