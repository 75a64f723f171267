import { describe, expect, it } from "vitest";
import { DEFAULT_RATE_LIMIT_SETTINGS } from "../aws/rate-limiter.ts";
import { CliError } from "./cli-error.ts";
import { rateLimitSettingsFrom } from "./rate-limit-option.ts";

describe("--rate-limit-scale", () => {
  it.each([
    // [why, text, settings]
    ["absent: the defaults, the emulator unlimited", undefined, DEFAULT_RATE_LIMIT_SETTINGS],
    ["a factor scales every API", "0.5", { scale: 0.5, perService: {}, limitExplicitEndpoints: true }],
    [
      "pairs scale one API each",
      "ecs=0.5,elbv2=2",
      { scale: 0.8, perService: { ecs: 0.5, elbv2: 2 }, limitExplicitEndpoints: true },
    ],
    ["both at once", "0.25,logs=1", { scale: 0.25, perService: { logs: 1 }, limitExplicitEndpoints: true }],
    ["off turns client-side limits off", "off", { scale: 0, limitExplicitEndpoints: true }],
  ])("%s", (_why, text, settings) => {
    expect(rateLimitSettingsFrom(text)).toEqual(settings);
  });

  it.each(["0", "-1", "11", "fast", "ecs=", "s3=0.5"])("refuses %s by name", (text) => {
    expect(() => rateLimitSettingsFrom(text)).toThrow(CliError);
    expect(() => rateLimitSettingsFrom(text)).toThrow(`--rate-limit-scale ${text}`);
  });
});
