/**
 * The emulator as a running thing: an HTTP server on loopback serving the five AWS services and the
 * control API, the world it holds, and the in-process handle tests use (`Emulator`).
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CallLog } from "./call-log.ts";
import { type Clock, ManualClock, ScaledClock } from "./clock.ts";
import { ControlError, type ControlRoute, handleControl, numberField } from "./control.ts";
import { Dispatcher, type IncomingCall } from "./dispatch.ts";
import { type FaultConfig, type FaultPolicy, InjectedFaults, NO_FAULTS } from "./faults.ts";
import { type LoopbackBlock, reserveLoopbackBlock } from "./loopback-block.ts";
import type { WireResponse } from "./protocols/responses.ts";
import { foreignRequestReason } from "./request-origin.ts";
import type { NetworkMode } from "./services/ec2/state.ts";
import { type EcsActivity, EcsActivityFeed } from "./services/ecs/activity-feed.ts";
import { type ImageCommand, ImageCommands } from "./services/ecs/runtime/image-commands.ts";
import { ImageRoutedRuntime } from "./services/ecs/runtime/image-routed-runtime.ts";
import { ProcessRuntime } from "./services/ecs/runtime/process-runtime.ts";
import { SimulatedRuntime } from "./services/ecs/runtime/simulated-runtime.ts";
import { dataPlaneControlRoutes } from "./services/elbv2/data-plane/control.ts";
import { LoadBalancerDataPlane, type ServedListener } from "./services/elbv2/data-plane/data-plane.ts";
import { ALL_SERVICES, LIFECYCLES, SERVICE_CONTROL_ROUTES } from "./services/index.ts";
import type { Timings } from "./timings.ts";
import { World } from "./world.ts";

export interface EmulatorOptions {
  /** Port on 127.0.0.1; 0 picks a free one. Default 4566. */
  port?: number;
  host?: string;
  /** Default: a manual clock (time moves only through `advance`). */
  clock?: Clock;
  seed?: number;
  timings?: Partial<Timings>;
  faults?: FaultPolicy;
  /**
   * Local ports of load balancer listeners, by listener port (`{ 80: 8080 }`); any other listener, or
   * one whose port is taken, is served on a free port. Default: every listener on a free port.
   */
  listenerPorts?: Readonly<Record<number, number>>;
  /** Told when a load balancer listener starts or stops being served on loopback (the CLI logs it). */
  onListenerEvent?: (message: string, listener: ServedListener) => void;
  /**
   * Told what ECS does, as it happens (service events, tasks stopped with why): the CLI logs it, so a
   * task that dies shows ECS replacing it. Only with a clock that moves by itself.
   */
  onEcsActivity?: (activity: EcsActivity) => void;
  /** Images whose tasks run as local processes, and their commands; other images stay simulated. */
  images?: readonly ImageCommand[];
  /** The default VPC's addresses: `loopback` (127.31.0.0/16) by default when `images` maps any, else `aws`. */
  network?: NetworkMode;
}

/** Requests larger than this are refused: no AWS call the controller makes comes close. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** How often an automatic clock's lifecycles are stepped, in real milliseconds. */
const STEP_INTERVAL_MS = 100;

/** How long the API keeps an idle keep-alive connection open (close() ends them all at once). */
const IDLE_CONNECTION_MS = 10 * 60_000;

export class Emulator {
  readonly world: World;
  readonly calls = new CallLog();
  /** Every active ALB's HTTP listeners, served on loopback (`services/elbv2/data-plane/`). */
  readonly loadBalancers: LoadBalancerDataPlane;
  faults: FaultPolicy;
  readonly #server: Server;
  readonly #dispatcher: Dispatcher;
  readonly #routes: ControlRoute[];
  #stepper: NodeJS.Timeout | undefined;
  #closing = false;
  /** The address given to `listen`: a Host naming it is this server, besides loopback. */
  #boundHost = "127.0.0.1";
  /** Runs the tasks of mapped images as local processes, in every region; undefined when none is mapped. */
  readonly processes: ProcessRuntime | undefined;
  readonly #onEcsActivity: ((activity: EcsActivity) => void) | undefined;
  readonly #loopbackBlock: LoopbackBlock | undefined;

  constructor(options: EmulatorOptions = {}) {
    const clock = options.clock ?? new ManualClock();
    const commands = new ImageCommands(options.images ?? []);
    const processes =
      commands.size === 0
        ? undefined
        : new ProcessRuntime({
            commands,
            now: () => clock.now(),
            speed: clock instanceof ScaledClock ? clock.speed : 1,
            // The loopback block stays taken until the tasks on its addresses are gone, reaped or not.
            onReaperStarted: (pid) => this.#loopbackBlock?.holdWhileAlive(pid),
          });
    this.processes = processes;
    this.#onEcsActivity = options.onEcsActivity;
    const network = options.network ?? (processes ? "loopback" : "aws");
    // Task processes listen on their ENI IPs: two emulators on one machine must not hand out the same ones.
    this.#loopbackBlock = network === "loopback" ? reserveLoopbackBlock() : undefined;
    this.world = new World({
      clock,
      seed: options.seed,
      timings: options.timings,
      network,
      ...(this.#loopbackBlock ? { vpcSecondOctet: this.#loopbackBlock.octet } : {}),
      ...(processes
        ? {
            taskRuntimeFor: (_region, timings) =>
              new ImageRoutedRuntime(new SimulatedRuntime(timings), processes),
          }
        : {}),
    });
    for (const lifecycle of LIFECYCLES) this.world.addLifecycle(lifecycle);
    this.faults = options.faults ?? NO_FAULTS;
    this.loadBalancers = new LoadBalancerDataPlane(this.world, {
      listenerPorts: options.listenerPorts,
      onEvent: options.onListenerEvent,
    });
    this.#dispatcher = new Dispatcher(this.world, ALL_SERVICES, this.calls, () => this.faults);
    this.#routes = [
      ...this.#coreRoutes(),
      ...SERVICE_CONTROL_ROUTES.map((routes) => routes(this.world)),
      dataPlaneControlRoutes(this.loadBalancers),
    ].flat();
    // An SDK client keeps idle connections with no timeout of its own and sends its next call on one:
    // a server that closes an idle connection after Node's default 5 s races that call (ECONNRESET,
    // which a test client with a single attempt reports as a failure). AWS keeps them far longer.
    this.#server = createServer({ keepAliveTimeout: IDLE_CONNECTION_MS }, (request, response) => {
      this.#serve(request, response)
        .catch((error: unknown) => {
          if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
          response.end(JSON.stringify({ __type: "InternalFailure", message: String(error) }));
        })
        // A call may have created, activated or deleted a listener: serve what now exists.
        .finally(() => this.loadBalancers.sync());
    });
  }

  /** Listens on loopback; resolves once the port is bound. */
  async listen(port = 4566, host = "127.0.0.1"): Promise<this> {
    this.#boundHost = host;
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    if (this.world.clock.automatic) {
      const told = this.#onEcsActivity;
      const feed = told ? new EcsActivityFeed(this.world) : undefined;
      feed?.take();
      const step = () => {
        const caughtUp = this.world.catchUp();
        this.loadBalancers.sync();
        for (const activity of feed?.take() ?? []) told?.(activity);
        // Still behind after its budget: go on after the requests waiting now, not a whole interval later.
        if (!caughtUp && !this.#closing) setImmediate(step);
      };
      this.#stepper = setInterval(step, STEP_INTERVAL_MS);
      this.#stepper.unref();
    }
    return this;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** The endpoint to give the SDK (`AWS_ENDPOINT_URL`). */
  get url(): string {
    const { address, port } = this.#server.address() as AddressInfo;
    return `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
  }

  /** Moves simulated time forward and plays out every lifecycle up to then. */
  advance(ms: number): void {
    this.world.clock.advance(ms);
    this.world.catchUp(Number.POSITIVE_INFINITY);
    this.loadBalancers.sync();
  }

  /** Replaces the fault policy: rates of throttling, errors, drops and latency, and rate limits. */
  injectFaults(config: FaultConfig): void {
    this.faults = new InjectedFaults(config);
  }

  clearFaults(): void {
    this.faults = NO_FAULTS;
  }

  /** Forgets all resources and calls: a fresh start (task processes are killed). */
  reset(): void {
    this.processes?.killAll();
    this.world.reset();
    this.calls.reset();
    this.loadBalancers.sync();
  }

  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#stepper);
    this.#server.closeAllConnections();
    await Promise.all([
      new Promise<void>((resolve) => this.#server.close(() => resolve())),
      this.loadBalancers.close(),
      this.processes?.close(),
    ]);
    this.#loopbackBlock?.release();
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // Both APIs: a web page must not reset the world nor create resources in it.
    const refused = foreignRequestReason(request, this.#boundHost);
    if (refused)
      return send(response, { status: 403, headers: { "content-type": "text/plain" }, body: `${refused}\n` });
    const body = await readBody(request);
    if (body === undefined)
      return send(response, { status: 413, headers: {}, body: "request body too large" });
    const url = new URL(request.url ?? "/", "http://emulator");
    if (url.pathname.startsWith("/_emulator/")) {
      let parsed: unknown;
      try {
        parsed = body.trim() === "" ? undefined : JSON.parse(body);
      } catch {
        return send(response, {
          status: 400,
          headers: { "content-type": "application/json" },
          body: '{"error":"body is not JSON"}\n',
        });
      }
      // Controls act on the world as it is now, however far behind it was.
      this.world.catchUp(Number.POSITIVE_INFINITY);
      const path = url.pathname.slice("/_emulator".length);
      return send(
        response,
        handleControl(this.#routes, {
          method: request.method ?? "GET",
          path,
          query: url.searchParams,
          body: parsed,
        }),
      );
    }
    const call: IncomingCall = { headers: request.headers, body };
    const routed = this.#dispatcher.route(call);
    if ("status" in routed) return send(response, routed);
    const fault = this.#dispatcher.faultFor(routed);
    if (fault?.kind === "drop") {
      request.socket.destroy();
      return;
    }
    if (fault?.kind === "latency") await new Promise((resolve) => setTimeout(resolve, fault.ms));
    send(response, this.#dispatcher.run(routed, fault?.kind === "latency" ? undefined : fault));
  }

  #coreRoutes(): ControlRoute[] {
    return [
      {
        method: "POST",
        path: /^\/reset$/,
        handle: () => {
          this.reset();
          return { reset: true };
        },
      },
      {
        method: "POST",
        path: /^\/clock\/advance$/,
        handle: (request) => {
          this.advance(numberField(request.body, "ms"));
          return { now: new Date(this.world.time).toISOString() };
        },
      },
      {
        method: "GET",
        path: /^\/clock$/,
        handle: () => ({ now: new Date(this.world.time).toISOString(), ms: this.world.time }),
      },
      {
        method: "GET",
        path: /^\/state$/,
        handle: () => ({ time: this.world.time, regions: this.world.regions }),
      },
      {
        method: "GET",
        path: /^\/calls$/,
        handle: () => ({ counts: this.calls.counts(), calls: this.calls.calls() }),
      },
      {
        method: "DELETE",
        path: /^\/calls$/,
        handle: () => {
          this.calls.reset();
          return { reset: true };
        },
      },
      {
        method: "GET",
        path: /^\/faults$/,
        handle: () =>
          this.faults instanceof InjectedFaults ? this.faults.config : { rules: [], rateLimits: [] },
      },
      {
        method: "PUT",
        path: /^\/faults$/,
        handle: (request) => {
          try {
            this.injectFaults((request.body ?? {}) as FaultConfig);
          } catch (error) {
            throw new ControlError(400, error instanceof Error ? error.message : String(error));
          }
          return (this.faults as InjectedFaults).config;
        },
      },
      {
        method: "DELETE",
        path: /^\/faults$/,
        handle: () => {
          this.clearFaults();
          return { faults: "none" };
        },
      },
    ];
  }
}

/** Creates an emulator and starts listening. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return new Emulator(options).listen(options.port ?? 4566, options.host ?? "127.0.0.1");
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(response: ServerResponse, wire: WireResponse): void {
  response.writeHead(wire.status, { ...wire.headers, "content-length": Buffer.byteLength(wire.body) });
  response.end(wire.body);
}
