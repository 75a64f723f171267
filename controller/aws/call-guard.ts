/**
 * What stands between the controller and every AWS call it sends: the deadline of the work the call
 * belongs to (a reconcile pass, a CLI command), the calls in flight (so `/status` can say what a slow
 * pass is waiting for), and a gate in front of every mutating attempt (the lease: a replica that may
 * have lost its service sends no write).
 *
 * The SDK's own per-attempt timeout (clients.ts) turns one hung connection into a retried failure; the
 * guard bounds the whole call, retries included, by the caller's deadline.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { setMaxListeners } from "node:events";
import type {
  AbsoluteLocation,
  FinalizeHandlerArguments,
  FinalizeRequestHandlerOptions,
  FinalizeRequestMiddleware,
  HandlerExecutionContext,
  InitializeHandlerArguments,
  InitializeHandlerOptions,
  InitializeMiddleware,
} from "@smithy/types";
import { AWS_SERVICES, type AwsService, operationName } from "./call-metrics.ts";
import type { AwsClients } from "./clients.ts";

/** The work a call belongs to ran out of time (or was cancelled): the call was not sent, or abandoned. */
export class DeadlineExceededError extends Error {
  readonly operation: string;
  constructor(operation: string, reason: string) {
    super(`${operation} abandoned: ${reason}`);
    this.operation = operation;
    this.name = "DeadlineExceededError";
  }
}

/** A mutating call refused before it was sent, because sending it now might not be safe. */
export class MutationRefusedError extends Error {
  readonly operation: string;
  constructor(operation: string, reason: string) {
    super(`${operation} not sent: ${reason}`);
    this.operation = operation;
    this.name = "MutationRefusedError";
  }
}

/** One call in flight, for `/status`. */
export interface CallInFlight {
  /** `ecs:DescribeServices` */
  call: string;
  /** `performance.now()` when it was sent. */
  startedAt: number;
}

export interface CallGuard {
  /** The signal of the work in progress; an aborted signal fails every call at once, in flight or not. */
  signal(): AbortSignal | undefined;
  /**
   * Throws (MutationRefusedError) when a mutating attempt must not be sent now. Called once per
   * attempt, retries included, as late as possible before the request leaves.
   */
  beforeMutation?(operation: string): void;
  /**
   * Whether the work's calls go ahead of routine ones waiting for the client-side rate limit's tokens
   * (a pass someone asked for, such as a spec edit, ahead of resyncs).
   */
  urgent?(): boolean;
}

/** Reads never change AWS; everything else is a mutation (Create, Update, Put, Delete, Register, Tag…). */
export const isReadOnlyOperation = (operation: string): boolean => /^(Describe|List|Get)/.test(operation);

/** The calls in flight through guarded clients, oldest first. */
export class CallsInFlight {
  readonly #calls = new Set<CallInFlight>();

  start(call: string): CallInFlight {
    const entry = { call, startedAt: performance.now() };
    this.#calls.add(entry);
    return entry;
  }

  end(entry: CallInFlight): void {
    this.#calls.delete(entry);
  }

  /** `[{ call, forMs }]`, the longest-running first. */
  list(now = performance.now()): Array<{ call: string; forMs: number }> {
    return [...this.#calls]
      .sort((a, b) => a.startedAt - b.startedAt)
      .map((entry) => ({ call: entry.call, forMs: Math.round(now - entry.startedAt) }));
  }
}

const PER_CALL: InitializeHandlerOptions & AbsoluteLocation = {
  name: "ecsConvergeCallDeadline",
  step: "initialize",
  priority: "high",
  override: true,
};

/**
 * Inside the retry loop, after signing (see call-metrics.ts for why finalizeRequest is per attempt). At
 * "normal" it runs after the retry backoff and the signature and before the per-attempt metrics
 * (finalizeRequest/"low"): an attempt it refuses was never sent, so it is not counted as an AWS call.
 */
const PER_ATTEMPT: FinalizeRequestHandlerOptions & AbsoluteLocation = {
  name: "ecsConvergeAttemptGate",
  step: "finalizeRequest",
  priority: "normal",
  override: true,
};

/** The signal a call was sent under, for its later attempts (the guard's signal may be another pass's by then). */
const callSignals = new WeakMap<HandlerExecutionContext, AbortSignal>();

/** The signal of the work a call belongs to, for middleware that waits inside an attempt (the rate limiter). */
export const callSignalOf = (context: HandlerExecutionContext): AbortSignal | undefined =>
  callSignals.get(context);

/** The calls made by urgent work (CallGuard.urgent), as they were sent. */
const urgentCalls = new WeakSet<HandlerExecutionContext>();

/** Whether a call belongs to urgent work, for the rate limiter's queue. */
export const isUrgentCall = (context: HandlerExecutionContext): boolean => urgentCalls.has(context);

/** The guard a call is made under, and where it is recorded while in flight. */
interface GuardScope {
  guard: CallGuard;
  inFlight?: CallsInFlight | undefined;
}

/** The guard of the work running now, for clients shared by many (guardClientsByCaller). */
const callerScope = new AsyncLocalStorage<GuardScope>();

/** The guard each call was sent under, for its later attempts. */
const callGuards = new WeakMap<HandlerExecutionContext, CallGuard>();

/**
 * Runs `work` so that every call it makes through clients guarded by caller (guardClientsByCaller) is
 * under `guard` and recorded in `inFlight`: one set of clients serves many workers, each call bounded
 * by the deadline and gated by the lease of the worker that made it.
 */
export function withCallGuard<T>(
  guard: CallGuard,
  inFlight: CallsInFlight | undefined,
  work: () => Promise<T>,
): Promise<T> {
  return callerScope.run({ guard, inFlight }, work);
}

type GuardableStack = {
  add(middleware: InitializeMiddleware<object, object>, options: typeof PER_CALL): void;
  add(middleware: FinalizeRequestMiddleware<object, object>, options: typeof PER_ATTEMPT): void;
};

/** Puts every call made through `clients` under `guard`, recording calls in flight in `inFlight`. */
export function guardClients(clients: AwsClients, guard: CallGuard, inFlight?: CallsInFlight): void {
  const scope = { guard, inFlight };
  for (const service of AWS_SERVICES) {
    const stack = clients[service].middlewareStack as GuardableStack;
    stack.add(
      deadlineMiddleware(service, () => scope),
      PER_CALL,
    );
    stack.add(attemptGate(service, true), PER_ATTEMPT);
  }
}

/**
 * Puts every call made through `clients` under the guard of the work that made it (withCallGuard). A
 * call made outside any such work is sent unguarded, bounded by the SDK's own timeouts only.
 */
export function guardClientsByCaller(clients: AwsClients): void {
  for (const service of AWS_SERVICES) {
    const stack = clients[service].middlewareStack as GuardableStack;
    stack.add(
      deadlineMiddleware(service, () => callerScope.getStore()),
      PER_CALL,
    );
    // A write must belong to some worker's work, so that its lease gates it: refused otherwise.
    stack.add(attemptGate(service, true, true), PER_ATTEMPT);
  }
}

/** Guards one SDK client that is not part of `AwsClients` (the lease table's DynamoDB client). */
export function guardClient(client: { middlewareStack: unknown }, service: string, guard: CallGuard): void {
  const stack = client.middlewareStack as GuardableStack;
  const scope = { guard };
  stack.add(
    deadlineMiddleware(service, () => scope),
    PER_CALL,
  );
  // The lease table's own writes are what the gate protects: they are bounded, never gated.
  stack.add(attemptGate(service, false), PER_ATTEMPT);
}

function deadlineMiddleware(
  service: AwsService | string,
  scopeOf: () => GuardScope | undefined,
): InitializeMiddleware<object, object> {
  return (next, context: HandlerExecutionContext) => async (args: InitializeHandlerArguments<object>) => {
    const scope = scopeOf();
    if (!scope) return next(args);
    const { guard, inFlight } = scope;
    callGuards.set(context, guard);
    if (guard.urgent?.()) urgentCalls.add(context);
    const call = `${service}:${operationName(context)}`;
    const signal = guard.signal();
    if (signal?.aborted) throw new DeadlineExceededError(call, abortReason(signal));
    if (signal) {
      callSignals.set(context, signal);
      // Every call of a pass listens on its signal: dozens at once is expected, not a leak.
      setMaxListeners(0, signal);
    }
    const entry = inFlight?.start(call);
    try {
      if (!signal) return await next(args);
      // The SDK's own abortSignal option would need every call site to pass it; racing here covers all
      // of them. The abandoned request still ends by itself, bounded by the per-attempt timeout.
      return await raceAbort(next(args), signal, call);
    } finally {
      if (entry) inFlight?.end(entry);
    }
  };
}

/**
 * Before each attempt: a call abandoned at its deadline sends no further attempt (the SDK's retry loop
 * goes on after the caller has stopped waiting), and a mutating attempt passes the mutation gate.
 */
function attemptGate(
  service: string,
  gateMutations: boolean,
  mutationsNeedAGuard = false,
): FinalizeRequestMiddleware<object, object> {
  return (next, context: HandlerExecutionContext) => async (args: FinalizeHandlerArguments<object>) => {
    const operation = operationName(context);
    const signal = callSignals.get(context);
    if (signal?.aborted) throw new DeadlineExceededError(`${service}:${operation}`, abortReason(signal));
    if (gateMutations && !isReadOnlyOperation(operation)) {
      const guard = callGuards.get(context);
      if (!guard && mutationsNeedAGuard)
        throw new MutationRefusedError(`${service}:${operation}`, "a write made outside any reconcile pass");
      guard?.beforeMutation?.(operation);
    }
    return next(args);
  };
}

/**
 * `work`, or a DeadlineExceededError as soon as the work running now (withCallGuard) is cut short: for
 * a pass awaiting a read it shares with other passes (the fleet inventory's, made with clients of its
 * own), which the pass's own deadline does not reach. `call` names the read (`ecs:DescribeServices`):
 * while the pass waits on it, it is among the pass's calls in flight, as its own calls are, so a hung
 * shared read is named wherever a hung call is (the deadline's log line, /healthz). Outside such
 * work, `work` as it is.
 */
export function untilCallerEnds<T>(work: Promise<T>, call: string): Promise<T> {
  const scope = callerScope.getStore();
  const signal = scope?.guard.signal();
  if (!signal) return work;
  if (signal.aborted) {
    // Still running for others: its outcome is theirs, not an unhandled rejection here.
    work.catch(() => {});
    return Promise.reject(new DeadlineExceededError(call, abortReason(signal)));
  }
  const entry = scope?.inFlight?.start(call);
  const waited = raceAbort(work, signal, call);
  if (entry) {
    const end = () => scope?.inFlight?.end(entry);
    waited.then(end, end);
  }
  return waited;
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal, call: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DeadlineExceededError(call, abortReason(signal)));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** The reason given to `AbortController.abort(reason)`, as a sentence. */
export function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === "string" ? reason : "cancelled";
}
