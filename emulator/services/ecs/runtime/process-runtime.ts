/**
 * A task runtime that runs containers as real local processes: the command mapped to the container's
 * image (`image-commands.ts`) is spawned in a process group of its own, listening on the task's ENI IP
 * and container port (`task-addresses.ts`), with the container's environment, `HOST`, `PORT` and a
 * placeholder for each secret. Its stdout/stderr lines become the container's log lines; its exit is the
 * container's exit; health checks are real HTTP requests; CPU is measured from the process group.
 *
 * Simulated and real time: the scheduler works in simulated milliseconds, processes in real ones. A
 * simulated duration becomes `simulated / speed` real milliseconds (the ScaledClock's speed), but never
 * less than a floor a real process needs (to shut down, to answer a request on a busy machine).
 *
 * Nothing outlives the runtime: `close()` stops every group and waits for it; a watchdog process
 * (`process-reaper.ts`) kills them if the emulator itself dies without closing.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { constants } from "node:os";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { checkHealth } from "./health-probe.ts";
import type { ImageCommand, ImageCommands } from "./image-commands.ts";
import { cpuSecondsByGroup } from "./process-cpu.ts";
import { AddressBook, canListenOn, type ListenAddress } from "./task-addresses.ts";
import type {
  ContainerOutput,
  ContainerStatus,
  HealthCheckRequest,
  ProbeAnswer,
  RuntimeContainer,
  RuntimeTask,
  TaskRuntime,
} from "./task-runtime.ts";

export interface ProcessRuntimeOptions {
  commands: ImageCommands;
  /** Simulated now: the timestamp of output lines. */
  now: () => number;
  /** Simulated milliseconds per real millisecond (a ScaledClock's speed; 1 for a manual clock). */
  speed: number;
  /** Told the pid of the reaper once it starts: it outlives a SIGKILLed emulator until the tasks are gone. */
  onReaperStarted?: (pid: number) => void;
}

/** What a secret's value is in a process: the emulator holds no secrets, and never passes an ARN on. */
export const SECRET_PLACEHOLDER = "emulator-secret-placeholder";

/** Real-time floors: SIGTERM gets at least this long before SIGKILL, a health check this long to answer. */
const STOP_FLOOR_MS = 2000;
const HEALTH_CHECK_FLOOR_MS = 1000;
/** On close, processes get this long after SIGTERM before their groups are killed. */
const CLOSE_GRACE_MS = 1000;
/** How long a killed group may take to disappear before we stop waiting for it. */
const GROUP_EXIT_WAIT_MS = 10_000;
/** A container counts as started once its process listens, looked for this often, for at most this long (real ms). */
const LISTEN_POLL_MS = 25;
const LISTEN_WAIT_MS = 30_000;
const LISTEN_CONNECT_TIMEOUT_MS = 500;
/** CPU is measured over windows of at least this many real milliseconds. */
const CPU_MIN_WINDOW_MS = 200;
/** Output bounds: a line longer than this is cut; past this many untaken lines the oldest go. */
const MAX_LINE_CHARS = 16 * 1024;
const MAX_PENDING_LINES = 10_000;
/** Environment passed through from the emulator so that commands such as `node` can run at all. */
const PASSED_THROUGH = ["PATH", "HOME", "LANG", "TMPDIR", "TZ", "SYSTEMROOT"];
const OWNER_VARIABLE = "ECS_EMULATOR_TASK_OWNER";

interface ProcessContainer {
  spec: RuntimeContainer;
  command: ImageCommand | undefined;
  phase: ContainerStatus["phase"];
  exitCode?: number;
  reason?: string;
  child?: ChildProcess;
  /** The process group (the leader's pid), once spawned. */
  group?: number;
  /** Where each container port is served. */
  addresses: Map<number, ListenAddress>;
  stopRequested: boolean;
  killTimer?: NodeJS.Timeout;
}

interface HealthCheckState {
  last: ProbeAnswer | undefined;
  inFlight: boolean;
}

interface ProcessTask {
  task: RuntimeTask;
  region: string;
  containers: Map<string, ProcessContainer>;
  output: ContainerOutput[];
  checks: Map<string, HealthCheckState>;
  /** CPU seconds at the start of the current window and when it started (real ms), and the last figure. */
  cpu: { seconds: number; atRealMs: number; percent: number } | undefined;
}

/** A Fargate task's host name, from its ENI's IP: `ip-10-0-1-23.ec2.internal` (us-east-1), `….{region}.compute.internal` elsewhere. */
export function fargateHostName(region: string, ip: string): string {
  const domain = region === "us-east-1" ? "ec2.internal" : `${region}.compute.internal`;
  return `ip-${ip.replaceAll(".", "-")}.${domain}`;
}

/** `arn:aws:ecs:{region}:…` → the region. */
const regionOfArn = (arn: string) => arn.split(":")[3] ?? "";

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // The group is gone already.
  }
}

/** Whether something accepts a TCP connection at `address` (within a short real-time bound). */
function accepts(address: ListenAddress): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address.host, port: address.port });
    socket.setTimeout(LISTEN_CONNECT_TIMEOUT_MS, () => socket.destroy());
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("close", () => resolve(false));
    socket.once("error", () => resolve(false));
  });
}

function groupAlive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

export class ProcessRuntime implements TaskRuntime {
  readonly #options: ProcessRuntimeOptions;
  readonly #tasks = new Map<string, ProcessTask>();
  readonly #addresses = new AddressBook();
  /** Every group started and not yet seen gone, with a promise that settles once it is gone. */
  readonly #groups = new Map<number, Promise<void>>();
  readonly #token = randomBytes(8).toString("hex");
  #reaper: ChildProcess | undefined;
  #closed = false;
  #cpuSample: { atRealMs: number; seconds: Map<number, number> } | undefined;

  constructor(options: ProcessRuntimeOptions) {
    this.#options = options;
  }

  /** Whether `image` has a local command (else its tasks belong to another runtime). */
  runs(image: string): boolean {
    return this.#options.commands.commandFor(image) !== undefined;
  }

  /** Whether this runtime runs the task. */
  owns(taskArn: string): boolean {
    return this.#tasks.has(taskArn);
  }

  /** Where a task's `ip:port` is served (the process's own address; identity unless remapped). */
  addressOf(region: string, ip: string, port: number): ListenAddress {
    return this.#addresses.addressOf(region, ip, port);
  }

  /** The pids of the task's running process groups' leaders (for tests and the control API). */
  pidsOf(taskArn: string): number[] {
    const found = this.#tasks.get(taskArn);
    if (!found) return [];
    return [...found.containers.values()].flatMap((container) =>
      container.phase === "running" && container.group !== undefined ? [container.group] : [],
    );
  }

  start(task: RuntimeTask, _now: number): void {
    if (this.#tasks.has(task.taskArn) || this.#closed) return;
    const running: ProcessTask = {
      task,
      region: regionOfArn(task.taskArn),
      containers: new Map(),
      output: [],
      checks: new Map(),
      cpu: undefined,
    };
    for (const spec of task.containers) {
      running.containers.set(spec.name, {
        spec,
        command: this.#options.commands.commandFor(spec.image),
        phase: "starting",
        addresses: new Map(),
        stopRequested: false,
      });
    }
    this.#tasks.set(task.taskArn, running);
    for (const container of running.containers.values()) {
      this.#launch(running, container).catch((error: unknown) => {
        this.#fail(running, container, `CannotStartContainerError: ${(error as Error).message}`);
      });
    }
  }

  stop(taskArn: string, _now: number): void {
    const found = this.#tasks.get(taskArn);
    if (!found) return;
    for (const container of found.containers.values()) {
      if (container.stopRequested || container.phase === "exited" || container.phase === "failed") continue;
      container.stopRequested = true;
      if (container.child === undefined) {
        // Not started yet: the process never runs, so there is no exit code.
        container.phase = "exited";
        continue;
      }
      // As `docker stop` does: SIGTERM to the main process, SIGKILL to everything after the stop timeout.
      container.child.kill("SIGTERM");
      const group = container.group;
      container.killTimer = setTimeout(
        () => {
          if (group !== undefined) signalGroup(group, "SIGKILL");
        },
        this.#realMs(container.spec.stopTimeoutSeconds * 1000, STOP_FLOOR_MS),
      );
      container.killTimer.unref();
    }
  }

  status(taskArn: string, container: string, _now: number): ContainerStatus {
    const found = this.#tasks.get(taskArn)?.containers.get(container);
    if (!found) return { phase: "starting" };
    switch (found.phase) {
      case "starting":
      case "running":
        return { phase: found.phase };
      case "failed":
        return { phase: "failed", reason: found.reason ?? "CannotStartContainerError" };
      case "exited":
        return {
          phase: "exited",
          ...(found.exitCode === undefined ? {} : { exitCode: found.exitCode }),
          ...(found.reason === undefined ? {} : { reason: found.reason }),
        };
    }
  }

  /** Answers with the last finished check of `port` and `path`, and starts the next one unless one is running. */
  probe(taskArn: string, port: number, path: string, _now: number, check: HealthCheckRequest): ProbeAnswer {
    const found = this.#tasks.get(taskArn);
    const container = [...(found?.containers.values() ?? [])].find(
      (candidate) => candidate.phase === "running" && candidate.spec.ports.includes(port),
    );
    const address = container?.addresses.get(port);
    if (!found || !container || !address) return false;
    const key = `${port} ${path}`;
    const state = found.checks.get(key) ?? { last: undefined, inFlight: false };
    found.checks.set(key, state);
    if (!state.inFlight) {
      state.inFlight = true;
      void checkHealth({
        ...address,
        path,
        timeoutMs: this.#realMs(check.timeoutMs, HEALTH_CHECK_FLOOR_MS),
        httpCodes: check.httpCodes,
      }).then((answer) => {
        state.last = answer;
        state.inFlight = false;
      });
    }
    return state.last ?? false;
  }

  /** CPU time of the task's process groups over the last window, as a share of its cpu units (1024 = one core). */
  cpuPercent(taskArn: string, _now: number): number | undefined {
    const found = this.#tasks.get(taskArn);
    if (!found || found.cpu === undefined) return undefined;
    const groups = [...found.containers.values()].flatMap((container) =>
      container.phase === "running" && container.group !== undefined ? [container.group] : [],
    );
    if (groups.length === 0) return undefined;
    const realNow = performance.now();
    const elapsedMs = realNow - found.cpu.atRealMs;
    if (elapsedMs < CPU_MIN_WINDOW_MS) return found.cpu.percent;
    const sample = this.#sampleCpu(realNow);
    const seconds = groups.reduce((sum, group) => sum + (sample.get(group) ?? 0), 0);
    const cores = Math.max(found.task.cpuUnits, 1) / 1024;
    const percent = ((seconds - found.cpu.seconds) / (elapsedMs / 1000) / cores) * 100;
    // A task cannot use more than its reservation on Fargate (cgroups cap it), so neither can its figure.
    found.cpu = { seconds, atRealMs: realNow, percent: Math.min(100, Math.max(0, percent)) };
    return found.cpu.percent;
  }

  takeOutput(taskArn: string, now: number): ContainerOutput[] {
    const found = this.#tasks.get(taskArn);
    if (!found) return [];
    const due = found.output.filter((line) => line.timestamp <= now);
    found.output = found.output.filter((line) => line.timestamp > now);
    return due;
  }

  forget(taskArn: string): void {
    const found = this.#tasks.get(taskArn);
    if (!found) return;
    for (const container of found.containers.values()) {
      if (container.group !== undefined) signalGroup(container.group, "SIGKILL");
      this.#release(found, container);
    }
    this.#tasks.delete(taskArn);
  }

  /** Kills a task's processes at once, as the kernel's OOM killer would (the exit code is then 137). */
  crash(taskArn: string): boolean {
    const found = this.#tasks.get(taskArn);
    if (!found) return false;
    let killed = false;
    for (const container of found.containers.values()) {
      if (container.phase !== "running" || container.group === undefined) continue;
      signalGroup(container.group, "SIGKILL");
      killed = true;
    }
    return killed;
  }

  /** Kills every process group now and forgets every task (the emulator's reset). */
  killAll(): void {
    for (const group of this.#groups.keys()) signalGroup(group, "SIGKILL");
    for (const taskArn of [...this.#tasks.keys()]) this.forget(taskArn);
  }

  /** Stops every process (SIGTERM, then SIGKILL for the group after a short grace) and waits until all are gone. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const found of this.#tasks.values()) {
      for (const container of found.containers.values()) {
        if (container.phase === "running") container.child?.kill("SIGTERM");
      }
    }
    const gone = Promise.all(this.#groups.values());
    let graceTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      gone,
      new Promise((resolve) => {
        graceTimer = setTimeout(resolve, CLOSE_GRACE_MS);
      }),
    ]);
    clearTimeout(graceTimer);
    for (const group of this.#groups.keys()) signalGroup(group, "SIGKILL");
    await gone;
    for (const found of this.#tasks.values()) {
      for (const container of found.containers.values()) clearTimeout(container.killTimer);
    }
    this.#tasks.clear();
    this.#reaper?.stdin?.end();
    this.#reaper = undefined;
  }

  async #launch(running: ProcessTask, container: ProcessContainer): Promise<void> {
    const { spec, command } = container;
    if (command === undefined) {
      this.#fail(
        running,
        container,
        `CannotPullContainerError: no local command is mapped to image ${spec.image}`,
      );
      return;
    }
    for (const port of spec.ports) {
      container.addresses.set(port, await this.#addresses.reserve(running.region, running.task.ip, port));
    }
    if (container.stopRequested || this.#closed) {
      container.phase = "exited";
      this.#release(running, container);
      return;
    }
    const first = spec.ports[0];
    const listen = first === undefined ? undefined : container.addresses.get(first);
    const env: Record<string, string> = {};
    for (const name of PASSED_THROUGH) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    // As a container runtime names each container's host, Fargate after the task's ENI IP: the
    // container's own environment may still set another.
    env.HOSTNAME = fargateHostName(running.region, running.task.ip);
    Object.assign(env, spec.environment);
    for (const name of spec.secretNames) env[name] = SECRET_PLACEHOLDER;
    // The process must listen where the task's ENI and the load balancer expect it: these win.
    env.HOST = listen?.host ?? (canListenOn(running.task.ip) ? running.task.ip : "127.0.0.1");
    if (listen) env.PORT = String(listen.port);
    env[OWNER_VARIABLE] = this.#token;
    const [program = "", ...args] = command.command;
    const child = spawn(program === "node" ? process.execPath : program, args, {
      ...(command.cwd === undefined ? {} : { cwd: command.cwd }),
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    container.child = child;
    if (child.pid !== undefined) this.#watchGroup(child.pid, child);
    child.once("spawn", () => {
      container.group = child.pid;
      running.cpu ??= { seconds: 0, atRealMs: performance.now(), percent: 0 };
      void this.#untilListening(container, listen).then(() => {
        if (container.phase === "starting") container.phase = "running";
      });
    });
    child.once("error", (error) => {
      if (container.group === undefined)
        this.#fail(running, container, `CannotStartContainerError: ${error.message}`);
    });
    this.#readLines(running, spec.name, child.stdout);
    this.#readLines(running, spec.name, child.stderr);
    let exit: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      // A container is all of its processes: whatever the main process leaves behind goes with it.
      if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
    });
    child.once("close", () => {
      clearTimeout(container.killTimer);
      // Never spawned: the error handler says why it failed.
      if (container.phase === "failed" || container.group === undefined) return;
      container.phase = "exited";
      // Docker's convention: a process killed by signal N exits with 128 + N (SIGKILL: 137).
      container.exitCode =
        exit.code ?? (exit.signal === null ? undefined : 128 + (constants.signals[exit.signal] ?? 0));
      this.#release(running, container);
    });
  }

  /**
   * Resolves once the process accepts connections on its first port (at once without one), or after a
   * bound. Why wait: the grace period runs on the simulated clock (60 s is one real second at speed 60),
   * while a process boots in real time, which no clock speed compresses (a Node process on a busy
   * machine takes a second or more). Counting its boot against the grace period would replace every
   * task started under load; so the container is RUNNING, and the grace period starts, once it listens.
   */
  async #untilListening(container: ProcessContainer, address: ListenAddress | undefined): Promise<void> {
    if (address === undefined) return;
    const deadline = performance.now() + LISTEN_WAIT_MS;
    while (container.phase === "starting" && !container.stopRequested && !this.#closed) {
      if ((await accepts(address)) || performance.now() > deadline) return;
      await delay(LISTEN_POLL_MS);
    }
  }

  #fail(running: ProcessTask, container: ProcessContainer, reason: string): void {
    container.phase = "failed";
    container.reason = reason;
    this.#release(running, container);
  }

  #release(running: ProcessTask, container: ProcessContainer): void {
    for (const port of container.addresses.keys())
      this.#addresses.release(running.region, running.task.ip, port);
    container.addresses.clear();
  }

  /** Tells the watchdog about a new group and remembers it until it is gone. */
  #watchGroup(group: number, leader: ChildProcess): void {
    this.#reaperProcess().stdin?.write(`+${group}\n`);
    const gone = (async () => {
      if (leader.exitCode === null && leader.signalCode === null)
        await new Promise((resolve) => leader.once("exit", resolve));
      const deadline = performance.now() + GROUP_EXIT_WAIT_MS;
      while (groupAlive(group) && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      this.#groups.delete(group);
      this.#reaper?.stdin?.write(`-${group}\n`);
    })();
    this.#groups.set(group, gone);
  }

  #reaperProcess(): ChildProcess {
    if (this.#reaper) return this.#reaper;
    const script = fileURLToPath(new URL("./process-reaper.ts", import.meta.url));
    const reaper = spawn(process.execPath, [script, this.#token], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
    });
    reaper.on("error", () => {});
    reaper.stdin?.on("error", () => {});
    // The watchdog must never keep the emulator alive: it only waits for the emulator to go.
    reaper.unref();
    (reaper.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    this.#reaper = reaper;
    if (reaper.pid !== undefined) this.#options.onReaperStarted?.(reaper.pid);
    return reaper;
  }

  #readLines(running: ProcessTask, container: string, stream: NodeJS.ReadableStream | null): void {
    if (!stream) return;
    let pending = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      if (pending.length > MAX_LINE_CHARS) {
        lines.push(pending);
        pending = "";
      }
      for (const line of lines) this.#line(running, container, line);
    });
    stream.on("end", () => {
      if (pending !== "") this.#line(running, container, pending);
    });
  }

  #line(running: ProcessTask, container: string, text: string): void {
    const message = text.replace(/\r$/, "").slice(0, MAX_LINE_CHARS);
    if (message === "") return;
    running.output.push({ container, timestamp: this.#options.now(), message });
    if (running.output.length > MAX_PENDING_LINES)
      running.output.splice(0, running.output.length - MAX_PENDING_LINES);
  }

  /** One /proc (or ps) scan shared by every task asking within a short window. */
  #sampleCpu(realNow: number): Map<number, number> {
    if (this.#cpuSample && realNow - this.#cpuSample.atRealMs < CPU_MIN_WINDOW_MS / 2)
      return this.#cpuSample.seconds;
    const seconds = cpuSecondsByGroup(new Set(this.#groups.keys()));
    this.#cpuSample = { atRealMs: realNow, seconds };
    return seconds;
  }

  /** A simulated duration in real milliseconds, never below `floorMs` (nor above the simulated duration). */
  #realMs(simulatedMs: number, floorMs: number): number {
    return Math.max(simulatedMs / this.#options.speed, Math.min(simulatedMs, floorMs));
  }
}
