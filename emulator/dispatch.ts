/**
 * From an HTTP request to an operation and back: routing (X-Amz-Target for the JSON services, the
 * form's Version for the query ones), the region from the SigV4 credential scope, decoding, the
 * operation itself, encoding, and the call log. Pure with respect to the network: the server does I/O.
 */
import type { CallLog } from "./call-log.ts";
import { subjectsOf } from "./call-resources.ts";
import { AwsError } from "./errors.ts";
import type { Fault, FaultPolicy } from "./faults.ts";
import { DEFAULT_REGION, requestId as newRequestId } from "./identity.ts";
import { decodeForm } from "./protocols/form.ts";
import type { Input } from "./protocols/input.ts";
import { errorResponse, successResponse, type WireResponse } from "./protocols/responses.ts";
import type {
  JsonServiceDefinition,
  QueryServiceDefinition,
  ServiceDefinition,
} from "./services/service-definition.ts";
import type { World } from "./world.ts";

export interface IncomingCall {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A routed call, ready to run once the fault policy has had its say. */
export interface RoutedCall {
  service: ServiceDefinition;
  operation: string;
  region: string;
  accessKeyId: string | undefined;
  input: Input;
  requestId: string;
}

const header = (call: IncomingCall, name: string): string | undefined => {
  const value = call.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** `Credential=AKID/20261126/eu-west-1/ecs/aws4_request` → `eu-west-1`. */
export function regionOf(authorization: string | undefined): string {
  const match = authorization?.match(/Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//);
  return match?.[1] ?? DEFAULT_REGION;
}

/** The caller's access key id (signatures are not checked, but who called is worth logging). */
export function accessKeyOf(authorization: string | undefined): string | undefined {
  return authorization?.match(/Credential=([^/]+)\//)?.[1];
}

export class Dispatcher {
  readonly #world: World;
  readonly #callLog: CallLog;
  readonly #faults: () => FaultPolicy;
  readonly #jsonServices = new Map<string, JsonServiceDefinition>();
  readonly #queryServices = new Map<string, QueryServiceDefinition>();

  constructor(
    world: World,
    services: readonly ServiceDefinition[],
    callLog: CallLog,
    faults: () => FaultPolicy,
  ) {
    this.#world = world;
    this.#callLog = callLog;
    this.#faults = faults;
    for (const service of services) {
      if (service.protocol === "json") this.#jsonServices.set(service.targetPrefix, service);
      else this.#queryServices.set(service.apiVersion, service);
    }
  }

  /** Routes a call, or answers at once when it cannot be routed (unknown service, malformed body). */
  route(call: IncomingCall): RoutedCall | WireResponse {
    const requestId = newRequestId(this.#world.random);
    const region = regionOf(header(call, "authorization"));
    const accessKeyId = accessKeyOf(header(call, "authorization"));
    const target = header(call, "x-amz-target");
    if (target !== undefined) {
      const dot = target.lastIndexOf(".");
      const service = this.#jsonServices.get(target.slice(0, dot));
      const operation = target.slice(dot + 1);
      if (!service) return unknownTarget(target, requestId);
      if (!Object.hasOwn(service.operations, operation)) {
        return errorResponse(
          service,
          new AwsError("UnknownOperationException", `Unknown operation ${operation}`),
          requestId,
        );
      }
      let input: unknown;
      try {
        input = call.body.trim() === "" ? {} : JSON.parse(call.body);
      } catch {
        return errorResponse(
          service,
          new AwsError("SerializationException", "Request body is not valid JSON"),
          requestId,
        );
      }
      if (input === null || typeof input !== "object" || Array.isArray(input)) {
        return errorResponse(
          service,
          new AwsError("SerializationException", "Request body must be a JSON object"),
          requestId,
        );
      }
      return { service, operation, region, accessKeyId, input: input as Input, requestId };
    }

    let form: Input;
    try {
      form = decodeForm(call.body);
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      return plainError(400, error.code, error.message, requestId);
    }
    const service = typeof form.Version === "string" ? this.#queryServices.get(form.Version) : undefined;
    if (!service) return unknownTarget(`Version=${String(form.Version)}`, requestId);
    const operation = typeof form.Action === "string" ? form.Action : "";
    if (!Object.hasOwn(service.operations, operation)) {
      return errorResponse(
        service,
        new AwsError(
          "InvalidAction",
          `The action ${operation || "(none)"} is not valid for this web service.`,
        ),
        requestId,
      );
    }
    const { Action: _action, Version: _version, ...input } = form;
    return { service, operation, region, accessKeyId, input, requestId };
  }

  /** The fault the policy wants for this call, if any. */
  faultFor(call: RoutedCall): Fault | undefined {
    return this.#faults().decide(call.service.id, call.operation, call.region);
  }

  /** Runs a routed call (or fails it with an injected fault) and logs it. Synchronous: each call is atomic. */
  run(call: RoutedCall, fault?: Fault): WireResponse {
    const { service, operation } = call;
    this.#world.catchUp();
    const region = this.#world.region(call.region);
    const subjects = subjectsOf(service.id, operation, call.input, region);
    let response: WireResponse;
    let failure: string | undefined;
    try {
      if (fault?.kind === "throttle")
        throw new AwsError(service.throttlingCode, "Rate exceeded", service.throttlingStatus);
      if (fault?.kind === "server-error")
        throw new AwsError("InternalFailure", "We encountered an internal error. Please try again.", 500);
      const output = service.operations[operation]?.(call.input, {
        world: this.#world,
        region,
        now: this.#world.time,
        random: this.#world.random,
        requestId: call.requestId,
      });
      response = successResponse(service, operation, output, call.requestId);
    } catch (error) {
      const awsError =
        error instanceof AwsError
          ? error
          : new AwsError(
              "InternalFailure",
              `emulator bug in ${operation}: ${error instanceof Error ? error.message : String(error)}`,
              500,
            );
      failure = awsError.code;
      response = errorResponse(service, awsError, call.requestId);
    }
    this.#callLog.record({
      time: this.#world.time,
      region: call.region,
      ...(call.accessKeyId === undefined ? {} : { accessKeyId: call.accessKeyId }),
      service: service.id,
      operation,
      action: `${service.iamPrefix}:${operation}`,
      ...(failure === undefined ? {} : { error: failure }),
      ...subjects?.finish(),
    });
    return response;
  }
}

function unknownTarget(target: string, requestId: string): WireResponse {
  return plainError(400, "UnknownOperationException", `No service handles ${target}`, requestId);
}

function plainError(status: number, code: string, message: string, requestId: string): WireResponse {
  return {
    status,
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amzn-errortype": code,
      "x-amzn-requestid": requestId,
    },
    body: JSON.stringify({ __type: code, message }),
  };
}
