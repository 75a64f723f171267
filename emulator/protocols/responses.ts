/** The wire form of answers and errors for each protocol, exactly as the SDK v3 parsers expect them. */
import type { AwsError } from "../errors.ts";
import type { JsonServiceDefinition, ServiceDefinition } from "../services/service-definition.ts";
import { toXml } from "./xml.ts";

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** JSON timestamps are epoch seconds; Dates anywhere in the output become numbers. */
function jsonReplacer(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  return original instanceof Date ? original.getTime() / 1000 : value;
}

const jsonContentType = (service: JsonServiceDefinition): string =>
  `application/x-amz-json-${service.jsonVersion ?? "1.1"}`;

export function successResponse(
  service: ServiceDefinition,
  operation: string,
  output: unknown,
  requestId: string,
): WireResponse {
  if (service.protocol === "json") {
    return {
      status: 200,
      headers: { "content-type": jsonContentType(service), "x-amzn-requestid": requestId },
      body: JSON.stringify(output ?? {}, jsonReplacer),
    };
  }
  if (service.protocol === "query") {
    const body =
      `<${operation}Response xmlns="${service.xmlNamespace}">` +
      `<${operation}Result>${toXml(output, "member")}</${operation}Result>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
      `</${operation}Response>`;
    return { status: 200, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId }, body };
  }
  const body = `<${operation}Response xmlns="${service.xmlNamespace}"><requestId>${requestId}</requestId>${toXml(output, "item")}</${operation}Response>`;
  return { status: 200, headers: { "content-type": "text/xml;charset=UTF-8" }, body };
}

export function errorResponse(service: ServiceDefinition, error: AwsError, requestId: string): WireResponse {
  if (service.protocol === "json") {
    return {
      status: error.status,
      headers: {
        "content-type": jsonContentType(service),
        "x-amzn-requestid": requestId,
        "x-amzn-errortype": error.code,
      },
      body: JSON.stringify(
        {
          ...error.fields,
          __type: service.errorType?.(error.code) ?? error.code,
          [service.messageKey]: error.message,
        },
        jsonReplacer,
      ),
    };
  }
  if (service.protocol === "query") {
    const body =
      `<ErrorResponse xmlns="${service.xmlNamespace}"><Error><Type>${error.fault}</Type>` +
      `<Code>${toXml(error.code, "member")}</Code><Message>${toXml(error.message, "member")}</Message></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`;
    return {
      status: error.status,
      headers: { "content-type": "text/xml", "x-amzn-requestid": requestId },
      body,
    };
  }
  const body =
    `<Response><Errors><Error><Code>${toXml(error.code, "item")}</Code><Message>${toXml(error.message, "item")}</Message></Error></Errors>` +
    `<RequestID>${requestId}</RequestID></Response>`;
  return { status: error.status, headers: { "content-type": "text/xml;charset=UTF-8" }, body };
}
