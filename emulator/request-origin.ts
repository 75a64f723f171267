/**
 * DNS rebinding and cross-origin guard: a web page the user opens could otherwise drive the emulator
 * (reset it, inject faults, create resources) through the browser, either by posting to it directly
 * or by pointing a name it controls at 127.0.0.1. A browser always says where it is going (Host) and,
 * for such requests, where the page came from (Origin); the AWS SDK sends a Host of the endpoint and
 * no Origin. So: the Host must be loopback or the address the server is bound to, and an Origin, when
 * there is one, must name one of those too.
 *
 * The controller has its own copy (`controller/daemon/request-origin.ts`): the emulator imports nothing
 * from it.
 */
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";

const LOOPBACK_NAMES: ReadonlySet<string> = new Set(["127.0.0.1", "localhost", "::1"]);
const WILDCARD_ADDRESSES: ReadonlySet<string> = new Set(["0.0.0.0", "::", ""]);

/** Why the request must be refused (one line), or `undefined` when its Host and Origin are ours. */
export function foreignRequestReason(request: IncomingMessage, boundHost: string): string | undefined {
  const { host, origin } = request.headers;
  // No browser omits Host, so a request without one (HTTP/1.0) cannot be a rebinding attack.
  if (host !== undefined && !isOwnHost(hostnameOf(`http://${host}`), boundHost))
    return `refused: Host ${JSON.stringify(host)} is not this server; use 127.0.0.1 or localhost`;
  if (origin !== undefined && !isOwnHost(hostnameOf(origin), boundHost))
    return `refused: requests from web pages are not accepted (Origin ${JSON.stringify(origin)})`;
  return undefined;
}

/** A loopback name, the address bound to, or (bound to every interface) any IP address: DNS rebinding needs a name. */
function isOwnHost(hostname: string | undefined, boundHost: string): boolean {
  if (hostname === undefined) return false;
  const bound = withoutBrackets(boundHost.toLowerCase());
  if (LOOPBACK_NAMES.has(hostname) || hostname === bound) return true;
  return WILDCARD_ADDRESSES.has(bound) && isIP(hostname) !== 0;
}

function hostnameOf(url: string): string | undefined {
  try {
    return withoutBrackets(new URL(url).hostname.toLowerCase());
  } catch {
    return undefined;
  }
}

function withoutBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}
