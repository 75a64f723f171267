/**
 * Where a load balancer's listener answers on this machine, when the AWS endpoint is the built-in
 * emulator: its control route maps an ALB's DNS name to the local URL that serves it. Against real
 * AWS there is no such address (the DNS name is the address), so nothing is asked.
 */
import type { AwsClients } from "../aws/clients.ts";

/** The emulator answers fast; a slow or silent endpoint is not the emulator, and status must not wait on it. */
const ASK_TIMEOUT_MS = 2000;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

interface ServedListener {
  dnsName?: string;
  port?: number;
  url?: string;
}

/**
 * The load balancers' endpoint when it is a custom one on this machine: set on the client (`--local`), or
 * as the SDK reads it from the environment (the service's own variable first). Undefined for AWS's own.
 */
async function customEndpoint(
  clients: Pick<AwsClients, "elbv2">,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const configured = await clients.elbv2.config.endpoint?.();
  const ignoreEnvironment = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === "true";
  const fromEnvironment = ignoreEnvironment
    ? undefined
    : env.AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 || env.AWS_ENDPOINT_URL || undefined;
  let url: URL;
  try {
    if (configured) url = new URL(`${configured.protocol}//${configured.hostname}:${configured.port ?? ""}`);
    else if (fromEnvironment) url = new URL(fromEnvironment);
    else return undefined;
  } catch {
    return undefined;
  }
  return LOOPBACK.test(url.hostname) ? url.origin : undefined;
}

/** The local URL of `dnsName:port`, or undefined when the endpoint is AWS's own or does not know it. */
export async function localListenerUrl(
  clients: Pick<AwsClients, "elbv2">,
  dnsName: string,
  port: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const base = await customEndpoint(clients, env);
  if (base === undefined) return undefined;
  try {
    const response = await fetch(`${base}/_emulator/elbv2/listeners?dnsName=${encodeURIComponent(dnsName)}`, {
      signal: AbortSignal.timeout(ASK_TIMEOUT_MS),
    });
    if (!response.ok) return undefined;
    const { listeners } = (await response.json()) as { listeners?: ServedListener[] };
    const url = listeners?.find((listener) => listener.port === port)?.url;
    return typeof url === "string" ? url : undefined;
  } catch {
    // Another kind of endpoint (a proxy, another emulator): it simply has no local address to show.
    return undefined;
  }
}
