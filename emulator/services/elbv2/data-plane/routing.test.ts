/** Condition matching, weighted choices and redirect locations, without sockets. */
import { describe, expect, it } from "vitest";
import type { RuleCondition } from "../state.ts";
import { redirectLocation } from "./load-balancer-responses.ts";
import { conditionMatches, type RequestFacts } from "./request-match.ts";
import { RoutingPositions } from "./routing.ts";

const request = (overrides: Partial<RequestFacts> = {}): RequestFacts => ({
  method: "GET",
  path: "/",
  host: "example.com",
  headers: new Map(),
  query: new URLSearchParams(),
  sourceIp: "127.0.0.1",
  ...overrides,
});

describe("conditionMatches", () => {
  const cases: Array<[string, RuleCondition, Partial<RequestFacts>, boolean]> = [
    ["* spans slashes", { field: "path-pattern", values: ["/api/*"] }, { path: "/api/v1/orders" }, true],
    ["? is exactly one character", { field: "path-pattern", values: ["/v?"] }, { path: "/v10" }, false],
    ["paths are case-sensitive", { field: "path-pattern", values: ["/API"] }, { path: "/api" }, false],
    ["regex characters are literal", { field: "path-pattern", values: ["/a.b"] }, { path: "/axb" }, false],
    ["any value of a condition", { field: "path-pattern", values: ["/x", "/y"] }, { path: "/y" }, true],
    [
      "host names ignore case",
      { field: "host-header", values: ["*.Example.com"] },
      { host: "shop.example.COM" },
      true,
    ],
    ["methods are exact", { field: "http-request-method", values: ["POST"] }, { method: "GET" }, false],
    [
      "header names and values ignore case",
      { field: "http-header", headerName: "X-Env", values: ["blue*"] },
      { headers: new Map([["x-env", ["BLUE-2"]]]) },
      true,
    ],
    [
      "a missing header does not match",
      { field: "http-header", headerName: "X-Env", values: ["*"] },
      {},
      false,
    ],
    [
      "a query pair without a key matches any key",
      { field: "query-string", pairs: [{ key: undefined, value: "on" }] },
      { query: new URLSearchParams("beta=on") },
      true,
    ],
    [
      "a query pair's key must match",
      { field: "query-string", pairs: [{ key: "version", value: "2" }] },
      { query: new URLSearchParams("other=2") },
      false,
    ],
    [
      "source ip in the block",
      { field: "source-ip", values: ["127.0.0.0/8"] },
      { sourceIp: "127.1.2.3" },
      true,
    ],
    [
      "source ip outside the block",
      { field: "source-ip", values: ["10.0.0.0/8"] },
      { sourceIp: "::ffff:127.0.0.1" },
      false,
    ],
  ];
  it.each(cases)("%s", (_reason, condition, facts, expected) => {
    expect(conditionMatches(condition, request(facts))).toBe(expected);
  });
});

describe("RoutingPositions", () => {
  it("splits a weighted forward exactly by weight, and never picks weight 0", () => {
    const positions = new RoutingPositions();
    const tuples = [
      { targetGroupArn: "a", weight: 3 },
      { targetGroupArn: "b", weight: 1 },
      { targetGroupArn: "c", weight: 0 },
    ];
    const picks = Array.from({ length: 40 }, () => positions.pickTargetGroup("rule", tuples));
    expect(picks.filter((pick) => pick === "a")).toHaveLength(30);
    expect(picks.filter((pick) => pick === "b")).toHaveLength(10);
    expect(picks).not.toContain("c");
  });

  it("has no group to pick when every weight is 0", () => {
    expect(
      new RoutingPositions().pickTargetGroup("rule", [{ targetGroupArn: "a", weight: 0 }]),
    ).toBeUndefined();
  });
});

describe("redirectLocation", () => {
  const source = {
    protocol: "http" as const,
    hostHeader: "127.0.0.1:8080",
    host: "127.0.0.1",
    port: 80,
    path: "old/page",
    query: "a=1",
  };
  it("keeps the local address for a redirect to the same listener", () => {
    expect(redirectLocation({ StatusCode: "HTTP_302", Path: "/new/#{path}" }, source)).toBe(
      "http://127.0.0.1:8080/new/old/page?a=1",
    );
  });
  it("builds the authority from the configuration otherwise, omitting the default port", () => {
    expect(
      redirectLocation(
        { StatusCode: "HTTP_301", Protocol: "HTTPS", Port: "443", Host: "example.com", Query: "" },
        source,
      ),
    ).toBe("https://example.com/old/page");
  });
});
