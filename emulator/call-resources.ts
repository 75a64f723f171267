/**
 * What each call acted on, as IAM sees it: the ARN of every resource the operation authorizes against,
 * with that resource's tags at the time of the call, the tags the request asks to write, and the roles
 * it hands to a service. The call log keeps this so that a policy can be evaluated against real calls
 * with the real ARNs and tags. Read before the operation runs (a delete's resource is gone after it);
 * what a create made is found after it (its ARN may carry an id AWS picks).
 *
 * Lookups here never throw: a call naming something that does not exist records nothing for it (the
 * operation itself reports the error).
 */
import { arn } from "./identity.ts";
import type { Input } from "./protocols/input.ts";
import { targetKey } from "./services/autoscaling/state.ts";
import type { ServiceId } from "./services/service-definition.ts";
import type { RegionState } from "./world.ts";

/** A resource a call acted on. */
export interface ResourceAtCall {
  arn: string;
  /** Its tags when the call arrived (none for what the call created). */
  tags: Record<string, string>;
  /** Made by this call. */
  created?: true;
}

/** The IAM-relevant subjects of one call. */
export interface CallSubjects {
  resources: ResourceAtCall[];
  /** The tags the request writes (on a create, the new resource's; on a tagging call, the added ones). */
  requestTags?: Record<string, string>;
  /** IAM roles the request hands to a service (a task definition's task and execution roles). */
  passedRoles?: string[];
}

/** Read before the call; `finish` runs after it and adds what the call created. */
export interface PendingSubjects {
  finish(): CallSubjects;
}

interface Extraction {
  before: ResourceAtCall[];
  requestTags?: Record<string, string>;
  passedRoles?: string[];
  /** What the call made, looked up once it ran. */
  created?: () => ResourceAtCall | undefined;
}

type Extractor = (input: Input, region: RegionState) => Extraction;

/** Starts recording a call's subjects; undefined for operations that act on no particular resource. */
export function subjectsOf(
  service: ServiceId,
  operation: string,
  input: Input,
  region: RegionState,
): PendingSubjects | undefined {
  const extractor = EXTRACTORS[service][operation];
  if (!extractor) return undefined;
  let extraction: Extraction;
  try {
    extraction = extractor(input, region);
  } catch {
    // Malformed input: the operation refuses it; there is nothing to attribute the call to.
    extraction = { before: [] };
  }
  return {
    finish() {
      const created = safely(() => extraction.created?.());
      return {
        resources: [...extraction.before, ...(created ? [created] : [])],
        ...(extraction.requestTags === undefined ? {} : { requestTags: extraction.requestTags }),
        ...(extraction.passedRoles === undefined ? {} : { passedRoles: extraction.passedRoles }),
      };
    },
  };
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

const fromMap = (tags: Map<string, string>): Record<string, string> => Object.fromEntries(tags);
const fromPairs = (pairs: readonly { key: string; value: string }[]): Record<string, string> =>
  Object.fromEntries(pairs.map((pair) => [pair.key, pair.value]));

/** `[{Key, Value}]` (ELBv2, EC2) or `[{key, value}]` (ECS) → a map. */
function pairsOf(value: unknown, keyName: string, valueName: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const entry of list(value)) {
    const key = text(record(entry)[keyName]);
    if (key !== undefined) tags[key] = String(record(entry)[valueName] ?? "");
  }
  return tags;
}

/** A map of strings (Logs, Application Auto Scaling). */
function mapOf(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(record(value)).map(([key, entry]) => [key, String(entry)]));
}

const created = (resource: { arn: string } | undefined): ResourceAtCall | undefined =>
  resource ? { arn: resource.arn, tags: {}, created: true } : undefined;

// EC2 ----------------------------------------------------------------------------------------------

const securityGroupArn = (region: RegionState, groupId: string) =>
  arn("ec2", region.name, `security-group/${groupId}`);

function securityGroup(region: RegionState, groupId: string | undefined): ResourceAtCall[] {
  const group = groupId === undefined ? undefined : region.ec2.securityGroups.get(groupId);
  return group ? [{ arn: securityGroupArn(region, group.groupId), tags: fromMap(group.tags) }] : [];
}

/** A rule call names its group by id, or (default VPC only, ingress) by name. */
function securityGroupOfRule(input: Input, region: RegionState): ResourceAtCall[] {
  const groupId = text(input.GroupId);
  if (groupId !== undefined) return securityGroup(region, groupId);
  const name = text(input.GroupName);
  const defaultVpc = [...region.ec2.vpcs.values()].find((vpc) => vpc.isDefault);
  const group = [...region.ec2.securityGroups.values()].find(
    (candidate) => candidate.groupName === name && candidate.vpcId === defaultVpc?.vpcId,
  );
  return securityGroup(region, group?.groupId);
}

/** Any EC2 resource by id, for CreateTags. */
function ec2Resource(region: RegionState, id: string): ResourceAtCall[] {
  if (id.startsWith("sg-")) return securityGroup(region, id);
  const vpc = region.ec2.vpcs.get(id);
  if (vpc) return [{ arn: arn("ec2", region.name, `vpc/${id}`), tags: fromMap(vpc.tags) }];
  const subnet = region.ec2.subnets.get(id);
  if (subnet) return [{ arn: arn("ec2", region.name, `subnet/${id}`), tags: fromMap(subnet.tags) }];
  return [];
}

const ruleCall: Extractor = (input, region) => ({ before: securityGroupOfRule(input, region) });

const EC2: Record<string, Extractor> = {
  CreateSecurityGroup(input, region) {
    const vpcId =
      text(input.VpcId) ?? [...region.ec2.vpcs.values()].find((vpc) => vpc.isDefault)?.vpcId ?? "";
    const vpc = region.ec2.vpcs.get(vpcId);
    const groupTags = list(input.TagSpecification)
      .map(record)
      .filter((specification) => specification.ResourceType === "security-group")
      .map((specification) => pairsOf(specification.Tag, "Key", "Value"));
    const name = text(input.GroupName);
    return {
      // A new group is made in a VPC: IAM authorizes the call on both.
      before: vpc ? [{ arn: arn("ec2", region.name, `vpc/${vpcId}`), tags: fromMap(vpc.tags) }] : [],
      requestTags: Object.assign({}, ...groupTags),
      created: () => {
        const group = [...region.ec2.securityGroups.values()].find(
          (candidate) => candidate.vpcId === vpcId && candidate.groupName === name,
        );
        return group ? { arn: securityGroupArn(region, group.groupId), tags: {}, created: true } : undefined;
      },
    };
  },
  AuthorizeSecurityGroupIngress: ruleCall,
  AuthorizeSecurityGroupEgress: ruleCall,
  RevokeSecurityGroupIngress: ruleCall,
  RevokeSecurityGroupEgress: ruleCall,
  DeleteSecurityGroup: ruleCall,
  CreateTags(input, region) {
    return {
      before: list(input.ResourceId).flatMap((id) => (typeof id === "string" ? ec2Resource(region, id) : [])),
      requestTags: pairsOf(input.Tag, "Key", "Value"),
    };
  },
  DeleteTags(input, region) {
    return {
      before: list(input.ResourceId).flatMap((id) => (typeof id === "string" ? ec2Resource(region, id) : [])),
    };
  },
};

// ELBv2 --------------------------------------------------------------------------------------------

/** A load balancer, target group, listener or rule by ARN, with its tags. */
function elbResource(region: RegionState, resourceArn: string | undefined): ResourceAtCall[] {
  if (resourceArn === undefined) return [];
  const { loadBalancers, targetGroups, listeners, rules } = region.elbv2;
  const found =
    loadBalancers.get(resourceArn) ??
    targetGroups.get(resourceArn) ??
    listeners.get(resourceArn) ??
    rules.get(resourceArn);
  return found ? [{ arn: found.arn, tags: fromMap(found.tags) }] : [];
}

const elbTags = (input: Input) => pairsOf(input.Tags, "Key", "Value");
const onLoadBalancer: Extractor = (input, region) => ({
  before: elbResource(region, text(input.LoadBalancerArn)),
});
const onTargetGroup: Extractor = (input, region) => ({
  before: elbResource(region, text(input.TargetGroupArn)),
});
const onListener: Extractor = (input, region) => ({ before: elbResource(region, text(input.ListenerArn)) });
const onRule: Extractor = (input, region) => ({ before: elbResource(region, text(input.RuleArn)) });

const ELBV2: Record<string, Extractor> = {
  CreateLoadBalancer(input, region) {
    const name = text(input.Name);
    return {
      before: [],
      requestTags: elbTags(input),
      created: () => created([...region.elbv2.loadBalancers.values()].find((lb) => lb.name === name)),
    };
  },
  CreateTargetGroup(input, region) {
    const name = text(input.Name);
    return {
      before: [],
      requestTags: elbTags(input),
      created: () => created([...region.elbv2.targetGroups.values()].find((group) => group.name === name)),
    };
  },
  CreateListener(input, region) {
    const loadBalancerArn = text(input.LoadBalancerArn);
    const port = Number(input.Port);
    return {
      // A listener is made on a load balancer: the parent is what the call names.
      before: elbResource(region, loadBalancerArn),
      requestTags: elbTags(input),
      created: () =>
        created(
          [...region.elbv2.listeners.values()].find(
            (listener) => listener.loadBalancerArn === loadBalancerArn && listener.port === port,
          ),
        ),
    };
  },
  CreateRule(input, region) {
    const listenerArn = text(input.ListenerArn);
    const priority = Number(input.Priority);
    return {
      before: elbResource(region, listenerArn),
      requestTags: elbTags(input),
      created: () =>
        created(
          [...region.elbv2.rules.values()].find(
            (rule) => rule.listenerArn === listenerArn && !rule.isDefault && rule.priority === priority,
          ),
        ),
    };
  },
  DeleteLoadBalancer: onLoadBalancer,
  SetSecurityGroups: onLoadBalancer,
  SetSubnets: onLoadBalancer,
  ModifyLoadBalancerAttributes: onLoadBalancer,
  DeleteTargetGroup: onTargetGroup,
  ModifyTargetGroup: onTargetGroup,
  ModifyTargetGroupAttributes: onTargetGroup,
  RegisterTargets: onTargetGroup,
  DeregisterTargets: onTargetGroup,
  DeleteListener: onListener,
  ModifyListener: onListener,
  DeleteRule: onRule,
  ModifyRule: onRule,
  AddTags(input, region) {
    return {
      before: list(input.ResourceArns).flatMap((resourceArn) => elbResource(region, text(resourceArn))),
      requestTags: elbTags(input),
    };
  },
  RemoveTags(input, region) {
    return {
      before: list(input.ResourceArns).flatMap((resourceArn) => elbResource(region, text(resourceArn))),
    };
  },
};

// ECS ----------------------------------------------------------------------------------------------

const ecsArnPath = (value: string): string | undefined =>
  value.match(/^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:[a-z-]+\/(.+)$/)?.[1];

const clusterNameOf = (reference: unknown): string => {
  const value = text(reference) ?? "default";
  return value.startsWith("arn:") ? (ecsArnPath(value) ?? value) : value;
};

function ecsCluster(region: RegionState, reference: unknown): ResourceAtCall[] {
  const cluster = region.ecs.clusters.get(clusterNameOf(reference));
  return cluster?.status === "ACTIVE" ? [{ arn: cluster.arn, tags: fromPairs(cluster.tags) }] : [];
}

function ecsService(
  region: RegionState,
  clusterReference: unknown,
  serviceReference: unknown,
): ResourceAtCall[] {
  const reference = text(serviceReference) ?? "";
  const path = reference.startsWith("arn:") ? (ecsArnPath(reference) ?? "") : reference;
  const parts = path.split("/");
  const name = parts.at(-1) ?? "";
  const clusterName = parts.length === 2 ? (parts[0] as string) : clusterNameOf(clusterReference);
  const service = region.ecs.clusters.get(clusterName)?.services.get(name);
  return service && service.status !== "INACTIVE"
    ? [{ arn: service.arn, tags: fromPairs(service.tags) }]
    : [];
}

function ecsTaskDefinition(region: RegionState, reference: unknown): ResourceAtCall[] {
  const value = text(reference) ?? "";
  const path = value.startsWith("arn:") ? (ecsArnPath(value) ?? "") : value;
  const [family = "", revision] = path.split(":");
  const revisions = region.ecs.families.get(family) ?? [];
  const found =
    revision === undefined
      ? revisions.filter((candidate) => candidate.status === "ACTIVE").at(-1)
      : revisions.find((candidate) => candidate.revision === Number(revision));
  return found ? [{ arn: found.arn, tags: fromPairs(found.tags) }] : [];
}

/** Any taggable ECS resource by ARN. */
function ecsResource(region: RegionState, resourceArn: unknown): ResourceAtCall[] {
  const value = text(resourceArn) ?? "";
  const type = value.match(/:ecs:[^:]+:[^:]+:([a-z-]+)\//)?.[1];
  const path = ecsArnPath(value) ?? "";
  if (type === "cluster") return ecsCluster(region, path);
  if (type === "service") return ecsService(region, undefined, value);
  if (type === "task-definition") return ecsTaskDefinition(region, value);
  return [];
}

const ecsTags = (input: Input) => pairsOf(input.tags, "key", "value");

const ECS: Record<string, Extractor> = {
  CreateCluster(input, region) {
    const name = text(input.clusterName) ?? "default";
    return {
      before: [],
      requestTags: ecsTags(input),
      created: () => created(region.ecs.clusters.get(name)),
    };
  },
  DeleteCluster: (input, region) => ({ before: ecsCluster(region, input.cluster) }),
  CreateService(input, region) {
    const clusterName = clusterNameOf(input.cluster);
    const name = text(input.serviceName) ?? "";
    return {
      before: [],
      requestTags: ecsTags(input),
      // A service's ARN is its name: known even when the create is refused.
      created: () => ({
        arn: arn("ecs", region.name, `service/${clusterName}/${name}`),
        tags: {},
        created: true,
      }),
    };
  },
  UpdateService: (input, region) => ({ before: ecsService(region, input.cluster, input.service) }),
  DeleteService: (input, region) => ({ before: ecsService(region, input.cluster, input.service) }),
  DescribeServices: (input, region) => ({
    before: list(input.services).flatMap((service) => ecsService(region, input.cluster, service)),
  }),
  DescribeClusters: (input, region) => ({
    before: list(input.clusters).flatMap((cluster) => ecsCluster(region, cluster)),
  }),
  RegisterTaskDefinition(input, region) {
    const family = text(input.family) ?? "";
    const roles = [text(input.taskRoleArn), text(input.executionRoleArn)].filter(
      (role): role is string => role !== undefined,
    );
    return {
      before: [],
      requestTags: ecsTags(input),
      passedRoles: [...new Set(roles)],
      created: () => created(region.ecs.families.get(family)?.at(-1)),
    };
  },
  DeregisterTaskDefinition: (input, region) => ({ before: ecsTaskDefinition(region, input.taskDefinition) }),
  TagResource: (input, region) => ({
    before: ecsResource(region, input.resourceArn),
    requestTags: ecsTags(input),
  }),
  UntagResource: (input, region) => ({ before: ecsResource(region, input.resourceArn) }),
};

// Application Auto Scaling -------------------------------------------------------------------------

function scalableTarget(region: RegionState, input: Input): ResourceAtCall[] {
  const key = targetKey(
    String(input.ServiceNamespace ?? ""),
    String(input.ResourceId ?? ""),
    String(input.ScalableDimension ?? ""),
  );
  const target = region.autoscaling.targets.get(key);
  return target ? [{ arn: target.arn, tags: { ...target.tags } }] : [];
}

function scalableTargetByArn(region: RegionState, resourceArn: unknown): ResourceAtCall[] {
  const target = [...region.autoscaling.targets.values()].find((candidate) => candidate.arn === resourceArn);
  return target ? [{ arn: target.arn, tags: { ...target.tags } }] : [];
}

const onScalableTarget: Extractor = (input, region) => ({ before: scalableTarget(region, input) });

const AUTOSCALING: Record<string, Extractor> = {
  RegisterScalableTarget(input, region) {
    const existing = scalableTarget(region, input);
    return {
      // Registering again updates the target it names; the first registration creates it.
      before: existing,
      requestTags: mapOf(input.Tags),
      created: () => {
        if (existing.length > 0) return undefined;
        const [target] = scalableTarget(region, input);
        return target ? { arn: target.arn, tags: {}, created: true } : undefined;
      },
    };
  },
  DeregisterScalableTarget: onScalableTarget,
  PutScalingPolicy: onScalableTarget,
  DeleteScalingPolicy: onScalableTarget,
  TagResource: (input, region) => ({
    before: scalableTargetByArn(region, input.ResourceARN),
    requestTags: mapOf(input.Tags),
  }),
  UntagResource: (input, region) => ({ before: scalableTargetByArn(region, input.ResourceARN) }),
  ListTagsForResource: (input, region) => ({ before: scalableTargetByArn(region, input.ResourceARN) }),
};

// CloudWatch Logs ----------------------------------------------------------------------------------

/** The log group's ARN as IAM writes it (`log-group:NAME`, without the `:*` Describe adds). */
const logGroupArn = (region: RegionState, name: string) => arn("logs", region.name, `log-group:${name}`);

function logGroup(region: RegionState, name: string | undefined): ResourceAtCall[] {
  const group = name === undefined ? undefined : region.logs.groups.get(name);
  return group ? [{ arn: logGroupArn(region, group.name), tags: { ...group.tags } }] : [];
}

/** `arn:aws:logs:…:log-group:NAME` or `…:log-group:NAME:*` → NAME. */
const logGroupNameOf = (resourceArn: unknown): string | undefined =>
  text(resourceArn)?.match(/:log-group:(.+?)(?::\*)?$/)?.[1];

const onLogGroup: Extractor = (input, region) => ({ before: logGroup(region, text(input.logGroupName)) });

const LOGS: Record<string, Extractor> = {
  CreateLogGroup(input, region) {
    const name = text(input.logGroupName) ?? "";
    return {
      before: [],
      requestTags: mapOf(input.tags),
      // A log group's ARN is its name: known even when the create is refused.
      created: () => ({ arn: logGroupArn(region, name), tags: {}, created: true }),
    };
  },
  DeleteLogGroup: onLogGroup,
  PutRetentionPolicy: onLogGroup,
  DeleteRetentionPolicy: onLogGroup,
  FilterLogEvents: onLogGroup,
  GetLogEvents: onLogGroup,
  TagResource: (input, region) => ({
    before: logGroup(region, logGroupNameOf(input.resourceArn)),
    requestTags: mapOf(input.tags),
  }),
  UntagResource: (input, region) => ({ before: logGroup(region, logGroupNameOf(input.resourceArn)) }),
  ListTagsForResource: (input, region) => ({ before: logGroup(region, logGroupNameOf(input.resourceArn)) }),
};

// DynamoDB -----------------------------------------------------------------------------------------

/** Every table operation names its table; the table's ARN is its name. */
const onTable: Extractor = (input, region) => {
  const name = text(input.TableName);
  return name === undefined
    ? { before: [] }
    : { before: [{ arn: arn("dynamodb", region.name, `table/${name}`), tags: {} }] };
};

const DYNAMODB: Record<string, Extractor> = Object.fromEntries(
  [
    "CreateTable",
    "DescribeTable",
    "DeleteTable",
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
  ].map((operation) => [operation, onTable]),
);

const EXTRACTORS: Record<ServiceId, Record<string, Extractor>> = {
  ec2: EC2,
  elbv2: ELBV2,
  ecs: ECS,
  autoscaling: AUTOSCALING,
  logs: LOGS,
  dynamodb: DYNAMODB,
};
