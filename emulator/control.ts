/**
 * The control API under `/_emulator/` (JSON), for tests, benchmarks and people debugging: reset,
 * advance the clock, dump state, read the call log. Services add their own routes (a task to crash,
 * a service's CPU to set) through `ControlRoute`s; each route also exists in-process on the Emulator.
 */
import { AwsError } from "./errors.ts";
import type { WireResponse } from "./protocols/responses.ts";

export interface ControlRequest {
  method: string;
  /** The path below `/_emulator`, e.g. `/clock/advance`. */
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export interface ControlRoute {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Matched against the path below `/_emulator`; named groups become `params`. */
  path: RegExp;
  handle(request: ControlRequest, params: Record<string, string>): unknown;
}

/** A control-API failure the caller caused (404, 400): JSON `{ error }` with that status. */
export class ControlError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** JSON for state dumps: Maps become objects, Sets arrays. */
export function stateReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}

export function handleControl(routes: readonly ControlRoute[], request: ControlRequest): WireResponse {
  const json = (status: number, value: unknown): WireResponse => ({
    status,
    headers: { "content-type": "application/json" },
    body: `${JSON.stringify(value ?? {}, stateReplacer)}\n`,
  });
  const route = routes.find(
    (candidate) => candidate.method === request.method && candidate.path.test(request.path),
  );
  if (!route) return json(404, { error: `no control route ${request.method} /_emulator${request.path}` });
  try {
    const params = request.path.match(route.path)?.groups ?? {};
    return json(200, route.handle(request, params));
  } catch (error) {
    if (error instanceof ControlError) return json(error.status, { error: error.message });
    if (error instanceof AwsError) return json(error.status, { error: error.message, code: error.code });
    throw error;
  }
}

/** Reads a number field of a control request's JSON body. */
export function numberField(body: unknown, name: string): number {
  const value = (body as Record<string, unknown> | null | undefined)?.[name];
  if (typeof value !== "number" || !Number.isFinite(value))
    throw new ControlError(400, `body field "${name}" must be a number`);
  return value;
}
