/**
 * What the load balancer answers by itself: its error pages (503 with no target, 502 for a target
 * that failed, 504 for one that did not answer in time), fixed-response actions and redirects.
 */
import type { ServerResponse } from "node:http";

const REASONS: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  502: "Bad Gateway",
  503: "Service Temporarily Unavailable",
  504: "Gateway Time-out",
};

/** The ALB's own error page: a small HTML body with `Server: awselb/2.0`, as ALBs send. */
export function sendErrorPage(response: ServerResponse, status: 400 | 404 | 502 | 503 | 504): void {
  const title = `${status} ${REASONS[status] ?? ""}`.trim();
  const body = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
  sendOwnResponse(response, status, { "content-type": "text/html", server: "awselb/2.0" }, body);
}

/** A fixed-response action: its status, content type and body (all optional but the status). */
export function sendFixedResponse(response: ServerResponse, config: Record<string, string>): void {
  const body = config.MessageBody ?? "";
  sendOwnResponse(
    response,
    Number(config.StatusCode),
    { "content-type": config.ContentType ?? "text/plain; charset=utf-8", server: "awselb/2.0" },
    body,
  );
}

/** What a redirect's `#{…}` placeholders stand for in this request. */
export interface RedirectSource {
  protocol: "http" | "https";
  /** The Host header as sent, port included: the local address of the listener. */
  hostHeader: string;
  host: string;
  /** The listener's port on the load balancer. */
  port: number;
  /** Without the leading slash, as `#{path}` is defined. */
  path: string;
  /** Without the `?`. */
  query: string;
}

/** The Location of a redirect action for this request. */
export function redirectLocation(config: Record<string, string>, source: RedirectSource): string {
  const fill = (template: string | undefined, fallback: string) =>
    (template ?? fallback)
      .replaceAll("#{protocol}", source.protocol)
      .replaceAll("#{host}", source.host)
      .replaceAll("#{port}", String(source.port))
      .replaceAll("#{path}", source.path)
      .replaceAll("#{query}", source.query);
  const protocol = fill(config.Protocol, "#{protocol}").toLowerCase();
  const path = fill(config.Path, "/#{path}");
  const query = fill(config.Query, "#{query}");
  const sameAuthority =
    (config.Host ?? "#{host}") === "#{host}" &&
    (config.Port ?? "#{port}") === "#{port}" &&
    protocol === source.protocol;
  // The listener is served on a local port: a redirect to this same listener keeps the Host header
  // as sent, so the Location works from the machine, not just on the load balancer's own port.
  let authority = source.hostHeader;
  if (!sameAuthority) {
    const host = fill(config.Host, "#{host}");
    const port = fill(config.Port, "#{port}");
    const defaultPort = protocol === "https" ? "443" : "80";
    authority = port === defaultPort ? host : `${host}:${port}`;
  }
  return `${protocol}://${authority}${path.startsWith("/") ? path : `/${path}`}${query ? `?${query}` : ""}`;
}

export function sendRedirect(
  response: ServerResponse,
  config: Record<string, string>,
  source: RedirectSource,
): void {
  const status = config.StatusCode === "HTTP_301" ? 301 : 302;
  sendOwnResponse(
    response,
    status,
    { location: redirectLocation(config, source), "content-type": "text/html", server: "awselb/2.0" },
    "",
  );
}

function sendOwnResponse(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string,
): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { ...headers, "content-length": Buffer.byteLength(body) });
  response.end(body);
}
