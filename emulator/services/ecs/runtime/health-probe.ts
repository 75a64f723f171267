/**
 * One real load-balancer health check: `GET http://host:port/path` on a fresh connection, judged by
 * the target group's matcher within its timeout, with the reason codes DescribeTargetHealth reports.
 */
import { request } from "node:http";
import type { ProbeAnswer } from "./task-runtime.ts";

/** Whether `status` is one of the matcher's codes: `200`, `200-299`, `200,202`, or a mix. */
export function matchesHttpCodes(status: number, httpCodes: string): boolean {
  return httpCodes.split(",").some((part) => {
    const [low, high] = part.trim().split("-").map(Number);
    if (low === undefined || !Number.isInteger(low)) return false;
    return high === undefined ? status === low : status >= low && status <= high;
  });
}

/** Bodies are read and dropped; a check never buffers what a broken app might stream. */
const MAX_BODY_BYTES = 64 * 1024;

export interface HealthCheckTarget {
  host: string;
  port: number;
  path: string;
  /** Real milliseconds. */
  timeoutMs: number;
  httpCodes: string;
}

/** Runs one check; never rejects. */
export function checkHealth(target: HealthCheckTarget): Promise<ProbeAnswer> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer: ProbeAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outgoing.destroy();
      resolve(answer);
    };
    const outgoing = request(
      {
        host: target.host,
        port: target.port,
        path: target.path,
        method: "GET",
        agent: false,
        headers: { "user-agent": "ELB-HealthChecker/2.0", connection: "close" },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        let received = 0;
        response.on("data", (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_BODY_BYTES) response.destroy();
        });
        // The verdict is the status line's: the body does not matter to an ALB health check.
        settle(
          matchesHttpCodes(status, target.httpCodes)
            ? true
            : {
                reason: "Target.ResponseCodeMismatch",
                description: `Health checks failed with these codes: [${status}]`,
              },
        );
      },
    );
    const timer = setTimeout(
      () => settle({ reason: "Target.Timeout", description: "Request timed out" }),
      target.timeoutMs,
    );
    outgoing.on("error", () =>
      settle({ reason: "Target.FailedHealthChecks", description: "Health checks failed" }),
    );
    outgoing.end();
  });
}
