import { describe, expect, it } from "vitest";
import {
  type AuthorizationRequest,
  arnMatches,
  type ContextValue,
  evaluate,
  type Policy,
} from "./iam-evaluator.ts";

const request = (patch: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
  action: "ecs:UpdateService",
  resource: "arn:aws:ecs:us-east-1:123456789012:service/web/web",
  context: {},
  ...patch,
});

const allow = (statement: Record<string, unknown>): Policy => ({
  Version: "2012-10-17",
  Statement: [{ Sid: "Tested", Effect: "Allow", Action: "*", Resource: "*", ...statement }],
});

describe("evaluate", () => {
  it.each([
    { reason: "an action wildcard matches, case-insensitively", action: "ECS:Update*", expected: "Allow" },
    { reason: "another service's action does not match", action: "ec2:*", expected: "ImplicitDeny" },
    { reason: "? matches one character", action: "ecs:UpdateServic?", expected: "Allow" },
  ])("$reason", ({ action, expected }) => {
    expect(evaluate(allow({ Action: action }), request()).effect).toBe(expected);
  });

  it("an explicit Deny wins over any Allow", () => {
    const policy: Policy = {
      Version: "2012-10-17",
      Statement: [
        { Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" },
        { Sid: "NoDeletes", Effect: "Deny", Action: "ecs:Delete*", Resource: "*" },
      ],
    };
    expect(evaluate(policy, request({ action: "ecs:DeleteService" }))).toEqual({
      effect: "Deny",
      statement: "NoDeletes",
    });
    expect(evaluate(policy, request())).toEqual({ effect: "Allow", statement: "Everything" });
  });

  it.each([
    {
      reason: "a resource wildcard within the resource part",
      pattern: "arn:aws:ecs:*:*:service/*/web",
      expected: true,
    },
    { reason: "a name that does not match", pattern: "arn:aws:ecs:*:*:service/*/api", expected: false },
    {
      reason: "a wildcard does not cross the region and account parts",
      pattern: "arn:aws:ecs:*:service/*/web",
      expected: false,
    },
    {
      reason: "the resource part keeps its colons",
      pattern: "arn:aws:logs:*:*:log-group:/ecs/web*",
      expected: false,
    },
  ])("ArnLike: $reason", ({ pattern, expected }) => {
    expect(arnMatches(pattern, "arn:aws:ecs:us-east-1:123456789012:service/web/web")).toBe(expected);
  });

  it("matches a log group ARN with or without the :* suffix against one pattern", () => {
    expect(
      arnMatches("arn:aws:logs:*:*:log-group:/ecs/web*", "arn:aws:logs:us-east-1:1:log-group:/ecs/web:*"),
    ).toBe(true);
    expect(
      arnMatches("arn:aws:logs:*:*:log-group:/ecs/web*", "arn:aws:logs:us-east-1:1:log-group:/ecs/web"),
    ).toBe(true);
  });

  it.each<{
    reason: string;
    condition: Record<string, Record<string, string | string[]>>;
    context: Record<string, ContextValue>;
    expected: string;
  }>([
    {
      reason: "StringEquals: one of the values",
      condition: { StringEquals: { "aws:ResourceTag/owner": ["a", "b"] } },
      context: { "aws:ResourceTag/owner": "b" },
      expected: "Allow",
    },
    {
      reason: "StringEquals: a missing key fails",
      condition: { StringEquals: { "aws:ResourceTag/owner": "a" } },
      context: {},
      expected: "ImplicitDeny",
    },
    {
      reason: "condition key names are case-insensitive",
      condition: { StringEquals: { "AWS:RESOURCETAG/owner": "a" } },
      context: { "aws:ResourceTag/owner": "a" },
      expected: "Allow",
    },
    {
      reason: "StringLike with a wildcard",
      condition: { StringLike: { "aws:RequestTag/service": "we*" } },
      context: { "aws:RequestTag/service": "web" },
      expected: "Allow",
    },
    {
      reason: "ForAllValues: every key listed",
      condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["a", "b"] } },
      context: { "aws:TagKeys": ["a"] },
      expected: "Allow",
    },
    {
      reason: "ForAllValues: one key not listed",
      condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["a"] } },
      context: { "aws:TagKeys": ["a", "c"] },
      expected: "ImplicitDeny",
    },
    {
      reason: "ForAllValues: holds when the request has no such key",
      condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["a"] } },
      context: {},
      expected: "Allow",
    },
    {
      reason: "ForAllValues:StringLike: every key matches a pattern",
      condition: { "ForAllValues:StringLike": { "aws:TagKeys": ["own/*", "team"] } },
      context: { "aws:TagKeys": ["own/a", "team"] },
      expected: "Allow",
    },
    {
      reason: "ForAllValues:StringLike: one key matches none",
      condition: { "ForAllValues:StringLike": { "aws:TagKeys": ["own/*"] } },
      context: { "aws:TagKeys": ["own/a", "team"] },
      expected: "ImplicitDeny",
    },
    {
      reason: "Null true: the key is absent",
      condition: { Null: { "aws:RequestTag/owner": "true" } },
      context: { "aws:RequestTag/owner": "x" },
      expected: "ImplicitDeny",
    },
    {
      reason: "Null false: the key is present",
      condition: { Null: { "aws:RequestTag/owner": "false" } },
      context: { "aws:RequestTag/owner": "x" },
      expected: "Allow",
    },
    {
      reason: "ArnLike on a context key",
      condition: { ArnLike: { "aws:SourceArn": "arn:aws:ecs:*:*:cluster/*" } },
      context: { "aws:SourceArn": "arn:aws:ecs:us-east-1:1:cluster/web" },
      expected: "Allow",
    },
    {
      reason: "every operator and key must hold",
      condition: { StringEquals: { "aws:ResourceTag/owner": "a" }, Null: { "aws:RequestTag/owner": "true" } },
      context: { "aws:ResourceTag/owner": "a", "aws:RequestTag/owner": "a" },
      expected: "ImplicitDeny",
    },
  ])("$reason", ({ condition, context, expected }) => {
    expect(evaluate(allow({ Condition: condition }), request({ context })).effect).toBe(expected);
  });

  it("refuses what it does not implement rather than guessing", () => {
    expect(() => evaluate(allow({ Condition: { StringEqualsIfExists: { k: "v" } } }), request())).toThrow(
      /StringEqualsIfExists is not supported/,
    );
    expect(() => evaluate(allow({ NotAction: "ecs:*" }), request())).toThrow(/NotAction is not supported/);
  });
});
