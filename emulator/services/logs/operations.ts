/** CloudWatch Logs (awsJson1_1, `Logs_20140328`): log groups, retention, tags, and what tasks wrote. */
import { AwsError } from "../../errors.ts";
import { arn } from "../../identity.ts";
import { type Input, inputReader } from "../../protocols/input.ts";
import type { JsonServiceDefinition, Operation, OperationContext } from "../service-definition.ts";
import type { LogGroup, LogStream, LogsState } from "./state.ts";

const RETENTION_DAYS = new Set([
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
]);
const NAME_PATTERN = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const MAX_TAGS = 50;

const read = (input: Input) =>
  inputReader(input, {
    missing: (name) => new AwsError("InvalidParameterException", `Missing required parameter: ${name}`),
    invalid: (name, detail) =>
      new AwsError("InvalidParameterException", `Invalid parameter ${name}: ${detail}`),
  });

const groupArn = (region: string, name: string) => arn("logs", region, `log-group:${name}`);

function groupNamed(state: LogsState, name: string): LogGroup {
  const group = state.groups.get(name);
  if (!group) throw new AwsError("ResourceNotFoundException", "The specified log group does not exist.");
  return group;
}

/** Log group ARNs come with or without the `:*` suffix; both name the group. */
function groupByArn(context: OperationContext, resourceArn: string): LogGroup {
  const prefix = `${groupArn(context.region.name, "")}`;
  const name = resourceArn.replace(/:\*$/, "");
  if (!name.startsWith(prefix))
    throw new AwsError("ResourceNotFoundException", `The specified resource does not exist: ${resourceArn}`);
  return groupNamed(context.region.logs, name.slice(prefix.length));
}

function readTags(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value))
    throw new AwsError("InvalidParameterException", "tags must be a map");
  const tags = value as Record<string, unknown>;
  for (const [key, tag] of Object.entries(tags)) {
    if (typeof tag !== "string" || key.length === 0 || key.length > 128 || tag.length > 256) {
      throw new AwsError("InvalidParameterException", `Invalid tag: ${key}`);
    }
  }
  return tags as Record<string, string>;
}

function addTags(group: LogGroup, tags: Record<string, string>): void {
  const merged = { ...group.tags, ...tags };
  if (Object.keys(merged).length > MAX_TAGS)
    throw new AwsError("LimitExceededException", `A log group can have at most ${MAX_TAGS} tags.`);
  group.tags = merged;
}

/** Pages through `items` with an opaque numeric token, like AWS's `nextToken`. */
export function paginate<T>(
  items: T[],
  nextToken: string | undefined,
  limit: number,
): { page: T[]; nextToken?: string } {
  const start = nextToken === undefined ? 0 : Number(nextToken);
  if (!Number.isSafeInteger(start) || start < 0 || start > items.length) {
    throw new AwsError("InvalidParameterException", "The specified nextToken is not valid.");
  }
  const page = items.slice(start, start + limit);
  return start + limit < items.length ? { page, nextToken: String(start + limit) } : { page };
}

function describeGroup(region: string, group: LogGroup) {
  return {
    logGroupName: group.name,
    creationTime: group.createdAt,
    ...(group.retentionInDays === undefined ? {} : { retentionInDays: group.retentionInDays }),
    metricFilterCount: 0,
    arn: `${groupArn(region, group.name)}:*`,
    logGroupArn: groupArn(region, group.name),
    storedBytes: [...group.streams.values()].reduce(
      (sum, stream) => sum + stream.events.reduce((size, event) => size + event.message.length, 0),
      0,
    ),
    logGroupClass: "STANDARD",
  };
}

function streamNamed(group: LogGroup, name: string): LogStream {
  const stream = group.streams.get(name);
  if (!stream) throw new AwsError("ResourceNotFoundException", "The specified log stream does not exist.");
  return stream;
}

/** Appends lines to a stream, creating it: how a task's awslogs driver writes (used by the ECS runtime). */
export function appendLogEvents(
  state: LogsState,
  groupName: string,
  streamName: string,
  messages: string[],
  now: number,
): void {
  const group = groupNamed(state, groupName);
  let stream = group.streams.get(streamName);
  if (!stream) {
    stream = { name: streamName, createdAt: now, events: [] };
    group.streams.set(streamName, stream);
  }
  for (const message of messages) stream.events.push({ timestamp: now, ingestionTime: now, message });
}

const operations: Record<string, Operation> = {
  CreateLogGroup(input, context) {
    const args = read(input);
    const name = args.string("logGroupName");
    if (!NAME_PATTERN.test(name))
      throw new AwsError("InvalidParameterException", `Invalid log group name: ${name}`);
    const tags = readTags(input.tags);
    if (Object.keys(tags).length > MAX_TAGS)
      throw new AwsError("InvalidParameterException", `At most ${MAX_TAGS} tags.`);
    if (context.region.logs.groups.has(name)) {
      throw new AwsError("ResourceAlreadyExistsException", "The specified log group already exists");
    }
    context.region.logs.groups.set(name, {
      name,
      createdAt: context.now,
      retentionInDays: undefined,
      tags,
      streams: new Map(),
    });
    return {};
  },

  DeleteLogGroup(input, context) {
    const name = read(input).string("logGroupName");
    groupNamed(context.region.logs, name);
    context.region.logs.groups.delete(name);
    return {};
  },

  DescribeLogGroups(input, context) {
    const args = read(input);
    const prefix = args.optionalString("logGroupNamePrefix");
    const pattern = args.optionalString("logGroupNamePattern");
    if (prefix !== undefined && pattern !== undefined) {
      throw new AwsError(
        "InvalidParameterException",
        "logGroupNamePrefix and logGroupNamePattern are mutually exclusive",
      );
    }
    // Names, or ARNs (with or without the trailing `:*`), of up to 50 groups; no other filter with them.
    const identifiers = args.stringList("logGroupIdentifiers");
    if (identifiers.length > 50)
      throw new AwsError("InvalidParameterException", "logGroupIdentifiers: at most 50 identifiers");
    if (identifiers.length > 0 && (prefix !== undefined || pattern !== undefined))
      throw new AwsError(
        "InvalidParameterException",
        "logGroupIdentifiers cannot be combined with logGroupNamePrefix or logGroupNamePattern",
      );
    const names = new Set(
      identifiers.map((identifier) => identifier.replace(/^arn:.*:log-group:|:\*$/g, "")),
    );
    const limit = args.optionalInt("limit") ?? 50;
    if (limit < 1 || limit > 50)
      throw new AwsError("InvalidParameterException", "limit must be between 1 and 50");
    const groups = [...context.region.logs.groups.values()]
      .filter(
        (group) =>
          (prefix === undefined || group.name.startsWith(prefix)) &&
          (pattern === undefined || group.name.includes(pattern)) &&
          (names.size === 0 || names.has(group.name)),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
    const { page, nextToken } = paginate(groups, args.optionalString("nextToken"), limit);
    return { logGroups: page.map((group) => describeGroup(context.region.name, group)), nextToken };
  },

  PutRetentionPolicy(input, context) {
    const args = read(input);
    const group = groupNamed(context.region.logs, args.string("logGroupName"));
    const days = args.int("retentionInDays");
    if (!RETENTION_DAYS.has(days)) {
      throw new AwsError(
        "InvalidParameterException",
        `1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${[...RETENTION_DAYS].join(", ")}]`,
      );
    }
    group.retentionInDays = days;
    return {};
  },

  DeleteRetentionPolicy(input, context) {
    groupNamed(context.region.logs, read(input).string("logGroupName")).retentionInDays = undefined;
    return {};
  },

  TagResource(input, context) {
    const group = groupByArn(context, read(input).string("resourceArn"));
    addTags(group, readTags(input.tags));
    return {};
  },

  UntagResource(input, context) {
    const args = read(input);
    const group = groupByArn(context, args.string("resourceArn"));
    const keys = new Set(args.stringList("tagKeys"));
    group.tags = Object.fromEntries(Object.entries(group.tags).filter(([key]) => !keys.has(key)));
    return {};
  },

  ListTagsForResource(input, context) {
    return { tags: { ...groupByArn(context, read(input).string("resourceArn")).tags } };
  },

  TagLogGroup(input, context) {
    addTags(groupNamed(context.region.logs, read(input).string("logGroupName")), readTags(input.tags));
    return {};
  },

  UntagLogGroup(input, context) {
    const args = read(input);
    const group = groupNamed(context.region.logs, args.string("logGroupName"));
    const keys = new Set(args.stringList("tags"));
    group.tags = Object.fromEntries(Object.entries(group.tags).filter(([key]) => !keys.has(key)));
    return {};
  },

  ListTagsLogGroup(input, context) {
    return { tags: { ...groupNamed(context.region.logs, read(input).string("logGroupName")).tags } };
  },

  CreateLogStream(input, context) {
    const args = read(input);
    const group = groupNamed(context.region.logs, args.string("logGroupName"));
    const name = args.string("logStreamName");
    if (group.streams.has(name))
      throw new AwsError("ResourceAlreadyExistsException", "The specified log stream already exists");
    group.streams.set(name, { name, createdAt: context.now, events: [] });
    return {};
  },

  DescribeLogStreams(input, context) {
    const args = read(input);
    const group = groupNamed(context.region.logs, args.string("logGroupName"));
    const prefix = args.optionalString("logStreamNamePrefix") ?? "";
    const streams = [...group.streams.values()]
      .filter((stream) => stream.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { page, nextToken } = paginate(
      streams,
      args.optionalString("nextToken"),
      args.optionalInt("limit") ?? 50,
    );
    return {
      logStreams: page.map((stream) => ({
        logStreamName: stream.name,
        creationTime: stream.createdAt,
        firstEventTimestamp: stream.events[0]?.timestamp,
        lastEventTimestamp: stream.events.at(-1)?.timestamp,
        arn: `${groupArn(context.region.name, group.name)}:log-stream:${stream.name}`,
      })),
      nextToken,
    };
  },

  PutLogEvents(input, context) {
    const args = read(input);
    const group = groupNamed(context.region.logs, args.string("logGroupName"));
    const stream = streamNamed(group, args.string("logStreamName"));
    const events = args.list<{ timestamp?: unknown; message?: unknown }>("logEvents");
    if (events.length === 0) throw new AwsError("InvalidParameterException", "logEvents must not be empty");
    for (const event of events) {
      if (typeof event.timestamp !== "number" || typeof event.message !== "string") {
        throw new AwsError("InvalidParameterException", "each log event needs a timestamp and a message");
      }
    }
    for (const event of events) {
      stream.events.push({
        timestamp: event.timestamp as number,
        ingestionTime: context.now,
        message: event.message as string,
      });
    }
    return { nextSequenceToken: String(stream.events.length) };
  },

  GetLogEvents(input, context) {
    const args = read(input);
    const group = groupNamed(context.region.logs, args.string("logGroupName"));
    const stream = streamNamed(group, args.string("logStreamName"));
    const limit = args.optionalInt("limit") ?? 10_000;
    const { page, nextToken } = paginate(stream.events, args.optionalString("nextToken"), limit);
    const end = String(page.length + Number(args.optionalString("nextToken") ?? 0));
    return {
      events: page.map((event) => ({ ...event })),
      nextForwardToken: nextToken ?? end,
      nextBackwardToken: args.optionalString("nextToken") ?? "0",
    };
  },

  FilterLogEvents(input, context) {
    const args = read(input);
    const group = groupNamed(context.region.logs, args.string("logGroupName"));
    const names = args.stringList("logStreamNames");
    const prefix = args.optionalString("logStreamNamePrefix");
    if (prefix !== undefined && names.length > 0)
      throw new AwsError(
        "InvalidParameterException",
        "logStreamNames and logStreamNamePrefix are mutually exclusive",
      );
    const pattern = (args.optionalString("filterPattern") ?? "").replace(/^"|"$/g, "");
    const start = args.optionalInt("startTime") ?? Number.NEGATIVE_INFINITY;
    const end = args.optionalInt("endTime") ?? Number.POSITIVE_INFINITY;
    const matches = [...group.streams.values()]
      .filter((stream) => names.length === 0 || names.includes(stream.name))
      .filter((stream) => prefix === undefined || stream.name.startsWith(prefix))
      .flatMap((stream) =>
        stream.events.map((event, index) => ({
          logStreamName: stream.name,
          eventId: `${stream.name}/${index}`,
          ...event,
        })),
      )
      .filter(
        (event) => event.timestamp >= start && event.timestamp <= end && event.message.includes(pattern),
      )
      .sort((a, b) => a.timestamp - b.timestamp);
    const { page, nextToken } = paginate(
      matches,
      args.optionalString("nextToken"),
      args.optionalInt("limit") ?? 10_000,
    );
    return { events: page, nextToken };
  },
};

export const logsService: JsonServiceDefinition = {
  id: "logs",
  iamPrefix: "logs",
  protocol: "json",
  targetPrefix: "Logs_20140328",
  messageKey: "message",
  throttlingCode: "ThrottlingException",
  throttlingStatus: 400,
  operations,
};
