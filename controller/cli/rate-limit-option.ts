/**
 * `--rate-limit-scale`: how close to AWS's documented API limits the process may go. A number scales
 * every limit (`0.5`), `service=factor` pairs scale one API each (`ecs=0.5,elbv2=0.25`), both may be
 * combined (`0.5,ecs=1`), and `off` turns client-side limits off. Given explicitly, it also limits
 * calls to the emulator (`--local`, `--emulator`), which is otherwise left unlimited.
 */
import { LIMITED_SERVICES, type LimitedService } from "../aws/aws-rate-limits.ts";
import {
  DEFAULT_RATE_LIMIT_SCALE,
  DEFAULT_RATE_LIMIT_SETTINGS,
  type RateLimitSettings,
} from "../aws/rate-limiter.ts";
import { CliError } from "./cli-error.ts";

export const RATE_LIMIT_SCALE_HELP = `client-side AWS rate limits as a fraction of AWS's documented account limits: a factor, service=factor pairs (${LIMITED_SERVICES.join(", ")}), or off (default ${DEFAULT_RATE_LIMIT_SCALE})`;

/** Above AWS's own limits only for an account whose limits AWS raised; ten times is already generous. */
const MAX_FACTOR = 10;

function parseFactor(text: string, whole: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0 || value > MAX_FACTOR)
    throw new CliError(
      `--rate-limit-scale ${whole}: "${text}" is not a factor above 0 and at most ${MAX_FACTOR}`,
      { hint: "e.g. --rate-limit-scale 0.5, --rate-limit-scale ecs=0.5,elbv2=0.25, or off" },
    );
  return value;
}

/** The settings `--rate-limit-scale` asks for; without it, the defaults (the emulator unlimited). */
export function rateLimitSettingsFrom(text: string | undefined): RateLimitSettings {
  if (text === undefined) return DEFAULT_RATE_LIMIT_SETTINGS;
  if (text.trim() === "off") return { scale: 0, limitExplicitEndpoints: true };
  let scale = DEFAULT_RATE_LIMIT_SCALE;
  const perService: Partial<Record<LimitedService, number>> = {};
  for (const part of text.split(",")) {
    const [name, factor] = part.includes("=") ? part.split("=", 2) : [undefined, part];
    if (name === undefined) {
      scale = parseFactor(factor ?? "", text);
      continue;
    }
    const service = name.trim() as LimitedService;
    if (!LIMITED_SERVICES.includes(service))
      throw new CliError(`--rate-limit-scale ${text}: unknown AWS API "${name}"`, {
        hint: `one of ${LIMITED_SERVICES.join(", ")}`,
      });
    perService[service] = parseFactor(factor ?? "", text);
  }
  return { scale, perService, limitExplicitEndpoints: true };
}
