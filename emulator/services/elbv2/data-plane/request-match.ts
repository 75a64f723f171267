/**
 * Whether a request meets a listener rule's conditions, as an Application Load Balancer decides it:
 * every condition of the rule must match, and a condition matches when any of its values does.
 * Path patterns are case-sensitive; host names, header values and query strings are not; `*` matches
 * any run of characters and `?` exactly one.
 */
import { parseIpv4, parseIpv4Block } from "../../ec2/cidr.ts";
import type { RuleCondition } from "../state.ts";

/** The parts of a request rules look at. */
export interface RequestFacts {
  method: string;
  /** The path without the query string, as sent (not decoded). */
  path: string;
  /** The Host header's host name, without a port. */
  host: string;
  /** Header values by lower-case name; a repeated header has several. */
  headers: ReadonlyMap<string, readonly string[]>;
  query: URLSearchParams;
  /** The client's address as the load balancer sees it (the socket peer, never X-Forwarded-For). */
  sourceIp: string;
}

/** A pattern with `*` and `?` wildcards as a regular expression over the whole text. */
export function wildcardPattern(pattern: string, caseSensitive: boolean): RegExp {
  const source = [...pattern]
    .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, caseSensitive ? "s" : "is");
}

const matchesAny = (values: readonly string[], text: string, caseSensitive: boolean) =>
  values.some((value) => wildcardPattern(value, caseSensitive).test(text));

function inSourceBlock(block: string, ip: string): boolean {
  const parsed = parseIpv4Block(block);
  const address = parseIpv4(ip.replace(/^::ffff:/, ""));
  if (!parsed || address === undefined) return false;
  const mask = parsed.prefixLength === 0 ? 0 : (0xffffffff << (32 - parsed.prefixLength)) >>> 0;
  return (address & mask) >>> 0 === parsed.network;
}

export function conditionMatches(condition: RuleCondition, request: RequestFacts): boolean {
  switch (condition.field) {
    case "path-pattern":
      return matchesAny(condition.values, request.path, true);
    case "host-header":
      return matchesAny(condition.values, request.host, false);
    case "http-request-method":
      return condition.values.includes(request.method);
    case "source-ip":
      return condition.values.some((block) => inSourceBlock(block, request.sourceIp));
    case "http-header": {
      const sent = request.headers.get(condition.headerName.toLowerCase()) ?? [];
      return sent.some((value) => matchesAny(condition.values, value, false));
    }
    case "query-string":
      return condition.pairs.some(({ key, value }) =>
        [...request.query].some(
          ([sentKey, sentValue]) =>
            (key === undefined || wildcardPattern(key, false).test(sentKey)) &&
            wildcardPattern(value, false).test(sentValue),
        ),
      );
  }
}

/** A rule's conditions all hold for the request. */
export const conditionsMatch = (conditions: readonly RuleCondition[], request: RequestFacts) =>
  conditions.every((condition) => conditionMatches(condition, request));
