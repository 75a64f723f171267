/**
 * `ecs-converge run` as a child process, as an operator runs it: configured by the SDK's standard
 * environment to talk to an emulator, logging JSON lines that tests read, stopped with a signal.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { killChildren } from "./kill-children.ts";
import { waitFor } from "./wait-for.ts";

const cli = fileURLToPath(new URL("../../controller/cli/main.ts", import.meta.url));

export type LogLine = Record<string, unknown> & { level: number; msg: string };

/** The daemon's process from the moment it is spawned, before it has started. */
export interface DaemonChild {
  child: ChildProcess;
  logs(): LogLine[];
  /** Waits for a log line matching `predicate` (among all lines so far and later ones). */
  waitForLog(what: string, predicate: (line: LogLine) => boolean, deadlineMs?: number): Promise<LogLine>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
}

export interface DaemonProcess extends DaemonChild {
  /** The endpoints' base URL, from the "daemon started" line. */
  url: string;
  /** GET a daemon endpoint as JSON. */
  status(): Promise<DaemonStatus>;
}

export interface DaemonStatus {
  ready: boolean;
  services: Array<{
    service: string;
    conditions: Array<{ type: string; status: string; reason: string; message: string }>;
    lastReconcile?: { at: string; result: string; durationMs: number };
    lastPlan?: { summary: { create: number; update: number; replace: number; delete: number } };
    rollout?: { stable: boolean; running: number; desired: number; taskDefinition: string };
    lastError?: string;
  }>;
  problems: Array<{ file: string; issues: string[] }>;
}

const running = new Set<ChildProcess>();

/** Kills every daemon a test started and did not stop. */
export const killDaemons = (): Promise<void> => killChildren(running);

/** Spawns `ecs-converge run` and returns at once; `startDaemonProcess` also waits for it to start. */
export function spawnDaemonProcess(args: string[], environment: NodeJS.ProcessEnv): DaemonChild {
  const child = spawn(
    process.execPath,
    [cli, "run", "--listen", "127.0.0.1:0", "--log-format", "json", ...args],
    {
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: "true", ...environment },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  running.add(child);
  const lines: LogLine[] = [];
  let pending = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (pending + chunk).split("\n");
    pending = parts.pop() ?? "";
    for (const part of parts) {
      if (part.trim() === "") continue;
      try {
        lines.push(JSON.parse(part) as LogLine);
      } catch {
        lines.push({ level: 60, msg: `unparsed: ${part}` });
      }
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const waitForLog = (what: string, predicate: (line: LogLine) => boolean, deadlineMs?: number) =>
    waitFor(
      what,
      () => {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(
            `the daemon exited (${child.exitCode ?? child.signalCode}) while waiting for ${what}; stderr: ${stderr}`,
          );
        return lines.find(predicate);
      },
      deadlineMs,
    );
  return {
    child,
    logs: () => lines,
    waitForLog,
    async stop() {
      child.kill("SIGTERM");
      const code = await exited;
      running.delete(child);
      return code;
    },
    exited,
  };
}

export async function startDaemonProcess(
  args: string[],
  environment: NodeJS.ProcessEnv,
): Promise<DaemonProcess> {
  const daemon = spawnDaemonProcess(args, environment);
  const started = await daemon.waitForLog("the daemon to start", (line) => line.msg === "daemon started");
  const url = String(started.url);
  return {
    ...daemon,
    url,
    async status() {
      const response = await fetch(`${url}/status`);
      return (await response.json()) as DaemonStatus;
    },
  };
}
