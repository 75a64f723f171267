/**
 * A steady stream of requests through the load balancer while a test changes something: a few
 * keep-alive loops, each sending its next request as soon as the last one answered, recording every
 * outcome. Tests assert on the outcomes (zero failures, responses switching to the new version), never
 * on how long anything took. Bounded: it stops at `stop()` or after `maxRequests`, whichever is first.
 */
import { Agent, request } from "node:http";
import { setTimeout as delay } from "node:timers/promises";

/** One request's outcome: an HTTP status with its body, or a transport error. */
export type Outcome = { status: number; body: string } | { error: string };

export interface RequestStream {
  /** Everything seen so far, in completion order. */
  outcomes(): readonly Outcome[];
  /** Outcomes that are not a 2xx answer. */
  failures(): readonly Outcome[];
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<readonly Outcome[]>;
}

export interface RequestStreamOptions {
  url: string;
  /** Concurrent loops (default 4). */
  concurrency?: number;
  /** Hard bound on requests sent (default 200,000). */
  maxRequests?: number;
  /** Per-request bound; a request past it counts as a failure (default 10 s). */
  timeoutMs?: number;
  /**
   * Each loop sends its next request only once `clock()` has moved `everyMs` past its last one, so at
   * most `concurrency` requests start per `everyMs` of that clock: a bound on how many requests any
   * window can hold, which tests turn into a bound on failures. Default: as fast as answers come.
   */
  pace?: { everyMs: number; clock?: () => number };
  /** Told each outcome as it is recorded (a bench notes when it came). */
  onOutcome?: (outcome: Outcome) => void;
}

/** How often a paced loop looks at its clock while it waits for its turn (real ms). */
const PACE_POLL_MS = 2;

/** Bodies longer than this are cut: tests compare short bodies (a version, a task id). */
const MAX_BODY_CHARS = 2048;

export function startRequestStream(options: RequestStreamOptions): RequestStream {
  const url = new URL(options.url);
  if (!/^127\.|^localhost$|^\[::1\]$/.test(url.hostname))
    throw new Error(`request streams target loopback only, not ${url.hostname}`);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency ?? 4 });
  const seen: Outcome[] = [];
  const maxRequests = options.maxRequests ?? 200_000;
  let sent = 0;
  let stopping = false;

  const once = () =>
    new Promise<Outcome>((resolve) => {
      const call = request(url, { agent, timeout: options.timeoutMs ?? 10_000 }, (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          if (body.length < MAX_BODY_CHARS) body += chunk;
        });
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, body: body.slice(0, MAX_BODY_CHARS) }),
        );
        response.on("error", (error) => resolve({ error: error.message }));
      });
      call.on("timeout", () => call.destroy(new Error("timed out")));
      call.on("error", (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message }));
      call.end();
    });

  const pace = options.pace;
  const clock = pace?.clock ?? (() => performance.now());
  const waitForTurn = async (lastSentAt: number) => {
    if (!pace) return;
    while (!stopping && clock() < lastSentAt + pace.everyMs) await delay(PACE_POLL_MS);
  };

  const loop = async () => {
    while (!stopping && sent < maxRequests) {
      sent += 1;
      const sentAt = clock();
      const outcome = await once();
      seen.push(outcome);
      options.onOutcome?.(outcome);
      await waitForTurn(sentAt);
    }
  };
  const loops = Array.from({ length: options.concurrency ?? 4 }, loop);

  const isFailure = (outcome: Outcome) =>
    !("status" in outcome) || outcome.status < 200 || outcome.status > 299;
  return {
    outcomes: () => seen,
    failures: () => seen.filter(isFailure),
    async stop() {
      stopping = true;
      await Promise.all(loops);
      agent.destroy();
      return seen;
    },
  };
}
