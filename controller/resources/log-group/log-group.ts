/**
 * The CloudWatch Logs group the tasks write to. Retention is the only mutable setting we manage;
 * DescribeLogGroups matches by prefix, so the exact name is checked, and tags (ownership) need a
 * second call, made only when the group exists.
 */
import {
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand,
  type LogGroup,
  PutRetentionPolicyCommand,
  TagResourceCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import type { ServiceSpec } from "../../../specs/index.ts";
import type { AwsClients } from "../../aws/clients.ts";
import { awsErrorCode, ignoreNotFound } from "../../aws/errors.ts";
import { cachedTags, type TagCache } from "../../aws/tag-cache.ts";
import { diffFields } from "../../engine/field-diff.ts";
import { absent, present, type ResourceDiff } from "../../engine/resource-diff.ts";
import { DirectReads, type ObservationReads } from "../../inventory/observation-reads.ts";
import { missingTags, type Ownership, ownershipOf, resourceTags, SERVICE_TAG } from "../../ownership.ts";

export interface DesiredLogGroup {
  name: string;
  retentionInDays: number;
  tags: Record<string, string>;
}

export interface ObservedLogGroup {
  name: string;
  arn: string;
  retentionInDays: number | undefined;
  tags: Record<string, string>;
  ownership: Ownership;
}

export function desiredLogGroup(document: ServiceSpec): DesiredLogGroup {
  return {
    name: document.spec.logging.logGroup,
    retentionInDays: document.spec.logging.retentionDays,
    tags: resourceTags(document, "log-group"),
  };
}

/** The group with exactly this name, with its tags; undefined when there is none. */
export async function describeLogGroupNamed(
  clients: AwsClients,
  name: string,
): Promise<LogGroup | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await clients.logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: name, nextToken }),
    );
    const group = page.logGroups?.find((candidate) => candidate.logGroupName === name);
    if (group) return group;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

/** The group with exactly this name, with its tags; undefined when there is none. */
export async function observeLogGroup(
  clients: AwsClients,
  reads: ObservationReads,
  service: string,
  name: string,
  tagCache: TagCache = new Map(),
): Promise<ObservedLogGroup | undefined> {
  const group = await reads.logGroupNamed(name);
  if (!group) return undefined;
  const arn = group.logGroupArn ?? (group.arn ?? "").replace(/:\*$/, "");
  const tags = await cachedTags(tagCache, arn, async () => {
    const { tags: found = {} } = await clients.logs.send(
      new ListTagsForResourceCommand({ resourceArn: arn }),
    );
    return found;
  });
  return {
    name,
    arn,
    retentionInDays: group.retentionInDays,
    tags,
    ownership: ownershipOf(tags, service),
  };
}

export function diffLogGroup(desired: DesiredLogGroup, observed: ObservedLogGroup | undefined): ResourceDiff {
  const comparable = (group: { retentionInDays: number | undefined; tags: Record<string, string> }) => ({
    retentionInDays: group.retentionInDays,
    tags: Object.fromEntries(Object.keys(desired.tags).map((key) => [key, group.tags[key]])),
  });
  if (!observed) return absent(diffFields(comparable(desired), {}));
  return present(diffFields(comparable(desired), comparable(observed)));
}

/**
 * Creates the group with its tags, then sets retention. An existing group is converged instead when
 * it is ours (a retry after a crash); one someone else created since it was observed is left alone.
 */
export async function createLogGroup(clients: AwsClients, desired: DesiredLogGroup): Promise<void> {
  try {
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: desired.name, tags: desired.tags }));
  } catch (error) {
    if (awsErrorCode(error) !== "ResourceAlreadyExistsException") throw error;
    const existing = await observeLogGroup(
      clients,
      new DirectReads(clients),
      desired.tags[SERVICE_TAG] ?? "",
      desired.name,
    );
    if (existing?.ownership !== "ours")
      throw new Error(
        `log group ${desired.name} was created by someone else while being created: left in place`,
        {
          cause: error,
        },
      );
  }
  await clients.logs.send(
    new PutRetentionPolicyCommand({ logGroupName: desired.name, retentionInDays: desired.retentionInDays }),
  );
}

export async function updateLogGroup(
  clients: AwsClients,
  desired: DesiredLogGroup,
  observed: ObservedLogGroup,
): Promise<void> {
  // Tags first: adopting claims the resource before changing it, so a policy scoped to our tag allows the change.
  const tags = missingTags(desired.tags, observed.tags);
  if (Object.keys(tags).length > 0) {
    await clients.logs.send(new TagResourceCommand({ resourceArn: observed.arn, tags }));
  }
  if (observed.retentionInDays !== desired.retentionInDays) {
    await clients.logs.send(
      new PutRetentionPolicyCommand({ logGroupName: desired.name, retentionInDays: desired.retentionInDays }),
    );
  }
}

export async function deleteLogGroup(clients: AwsClients, name: string): Promise<void> {
  await ignoreNotFound(() => clients.logs.send(new DeleteLogGroupCommand({ logGroupName: name })));
}
