/** Listeners of Application Load Balancers: create (idempotent per port), describe, modify, delete (with their rules). */

import { AwsError } from "../../errors.ts";
import type { Input, InputReader } from "../../protocols/input.ts";
import type { RegionState } from "../../world.ts";
import type { Operation, OperationContext } from "../service-definition.ts";
import { describeAction, readActions } from "./actions.ts";
import { routingChanged } from "./associations.ts";
import { listenerNotFound, optionalIntIn, read, structures, validationError } from "./errors.ts";
import { addListener, removeListener } from "./listener-records.ts";
import { loadBalancerByArn } from "./load-balancers.ts";
import { listenerArn } from "./names.ts";
import { paginate } from "./pagination.ts";
import type { Listener, LoadBalancer } from "./state.ts";
import { readTags } from "./tags.ts";

const MAX_LISTENERS_PER_LOAD_BALANCER = 50;
const MAX_TAGS = 50;
const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-2016-08";

/** The listener an ARN names, or ListenerNotFound. */
export function listenerByArn(region: RegionState, arn: string): Listener {
  const listener = region.elbv2.listeners.get(arn);
  if (!listener) throw listenerNotFound();
  return listener;
}

/** A listener as DescribeListeners shows it. */
export function describeListener(listener: Listener) {
  return {
    ListenerArn: listener.arn,
    LoadBalancerArn: listener.loadBalancerArn,
    Port: listener.port,
    Protocol: listener.protocol,
    ...(listener.protocol === "HTTPS"
      ? {
          Certificates: listener.certificates.map((CertificateArn) => ({ CertificateArn })),
          SslPolicy: listener.sslPolicy,
        }
      : {}),
    DefaultActions: listener.defaultActions.map(describeAction),
  };
}

function readProtocol(args: InputReader): "HTTP" | "HTTPS" | undefined {
  const protocol = args.optionalString("Protocol");
  if (protocol === undefined || protocol === "HTTP" || protocol === "HTTPS") return protocol;
  throw new AwsError(
    "UnsupportedProtocol",
    `Protocol '${protocol}' is not supported for load balancers of type 'application'`,
  );
}

function readCertificates(args: InputReader): string[] | undefined {
  if (!args.has("Certificates")) return undefined;
  return structures(args, "Certificates").map((certificate) => {
    if (typeof certificate.CertificateArn !== "string")
      throw validationError("Each certificate needs a CertificateArn");
    return certificate.CertificateArn;
  });
}

/** A listener's TLS settings: HTTPS needs a certificate; HTTP has neither certificate nor policy. */
function tlsSettings(
  protocol: "HTTP" | "HTTPS",
  certificates: string[],
  sslPolicy: string | undefined,
): Pick<Listener, "certificates" | "sslPolicy"> {
  if (protocol === "HTTP") return { certificates: [], sslPolicy: undefined };
  if (certificates.length === 0) throw validationError("A certificate must be specified for HTTPS listeners");
  return { certificates, sslPolicy: sslPolicy ?? DEFAULT_SSL_POLICY };
}

function portTaken(
  region: RegionState,
  loadBalancer: LoadBalancer,
  port: number,
  except?: string,
): Listener | undefined {
  return [...region.elbv2.listeners.values()].find(
    (listener) =>
      listener.loadBalancerArn === loadBalancer.arn && listener.port === port && listener.arn !== except,
  );
}

const duplicateListener = (loadBalancer: LoadBalancer) =>
  new AwsError(
    "DuplicateListener",
    `A listener already exists on this port for this load balancer '${loadBalancer.arn}'`,
  );

function createListener(input: Input, context: OperationContext) {
  const { region } = context;
  const args = read(input);
  const loadBalancer = loadBalancerByArn(region, args.string("LoadBalancerArn"));
  const protocol = readProtocol(args);
  if (protocol === undefined) throw validationError("A listener protocol must be specified");
  const port = optionalIntIn(args, "Port", 1, 65_535);
  if (port === undefined) throw validationError("A listener port must be specified");
  const tls = tlsSettings(protocol, readCertificates(args) ?? [], args.optionalString("SslPolicy"));
  const defaultActions = readActions(region, structures(args, "DefaultActions"), loadBalancer);
  const tags = readTags(args);
  if (tags.size > MAX_TAGS) throw new AwsError("TooManyTags", `A listener can have at most ${MAX_TAGS} tags`);

  const existing = portTaken(region, loadBalancer, port);
  if (existing) {
    // Create is idempotent: the same settings on the same port return the listener that exists.
    const same =
      existing.protocol === protocol &&
      JSON.stringify([existing.certificates, existing.sslPolicy, existing.defaultActions]) ===
        JSON.stringify([tls.certificates, tls.sslPolicy, defaultActions]);
    if (!same) throw duplicateListener(loadBalancer);
    return { Listeners: [describeListener(existing)] };
  }
  const count = [...region.elbv2.listeners.values()].filter(
    (listener) => listener.loadBalancerArn === loadBalancer.arn,
  ).length;
  if (count >= MAX_LISTENERS_PER_LOAD_BALANCER)
    throw new AwsError(
      "TooManyListeners",
      `A load balancer can have at most ${MAX_LISTENERS_PER_LOAD_BALANCER} listeners`,
    );

  const arn = listenerArn(region.name, loadBalancer.name, loadBalancer.id, context.random.hex(16));
  const listener: Listener = {
    arn,
    loadBalancerArn: loadBalancer.arn,
    port,
    protocol,
    ...tls,
    defaultActions,
    tags,
  };
  addListener(region.elbv2, listener);
  return { Listeners: [describeListener(listener)] };
}

function modifyListener(input: Input, context: OperationContext) {
  const { region } = context;
  const args = read(input);
  const listener = listenerByArn(region, args.string("ListenerArn"));
  const loadBalancer = loadBalancerByArn(region, listener.loadBalancerArn);
  const port = optionalIntIn(args, "Port", 1, 65_535) ?? listener.port;
  if (portTaken(region, loadBalancer, port, listener.arn)) throw duplicateListener(loadBalancer);
  const protocol = readProtocol(args) ?? listener.protocol;
  const tls = tlsSettings(
    protocol,
    readCertificates(args) ?? listener.certificates,
    args.optionalString("SslPolicy") ?? listener.sslPolicy,
  );
  const defaultActions = args.has("DefaultActions")
    ? readActions(region, structures(args, "DefaultActions"), loadBalancer)
    : listener.defaultActions;
  Object.assign(listener, { port, protocol, ...tls, defaultActions });
  routingChanged(region.elbv2);
  return { Listeners: [describeListener(listener)] };
}

export const listenerOperations: Record<string, Operation> = {
  CreateListener: createListener,
  ModifyListener: modifyListener,

  DescribeListeners(input, context) {
    const { region } = context;
    const args = read(input);
    const loadBalancerArn = args.optionalString("LoadBalancerArn");
    const arns = args.stringList("ListenerArns");
    if ((loadBalancerArn === undefined) === (arns.length === 0))
      throw validationError("You must specify either listener ARNs or a load balancer ARN, but not both");
    let selected: Listener[];
    if (loadBalancerArn !== undefined) {
      loadBalancerByArn(region, loadBalancerArn);
      selected = [...region.elbv2.listeners.values()].filter(
        (listener) => listener.loadBalancerArn === loadBalancerArn,
      );
    } else {
      selected = arns.map((arn) => listenerByArn(region, arn));
    }
    const { page, nextMarker } = paginate(args, selected);
    return { Listeners: page.map(describeListener), NextMarker: nextMarker };
  },

  DeleteListener(input, context) {
    const listener = listenerByArn(context.region, read(input).string("ListenerArn"));
    // Its rules go with it, as on AWS.
    removeListener(context.region.elbv2, listener.arn);
    return {};
  },
};
