/** Marker/PageSize paging of the Describe* operations (page size 1–400, AWS's range). */
import type { InputReader } from "../../protocols/input.ts";
import { optionalIntIn, validationError } from "./errors.ts";

const MAX_PAGE_SIZE = 400;

/** One page of `items` and the marker of the next, if any. Markers are opaque, as AWS's are. */
export function paginate<T>(args: InputReader, items: readonly T[]): { page: T[]; nextMarker?: string } {
  const pageSize = optionalIntIn(args, "PageSize", 1, MAX_PAGE_SIZE) ?? MAX_PAGE_SIZE;
  const marker = args.optionalString("Marker");
  const start = marker === undefined ? 0 : offsetOf(marker);
  if (start > items.length) throw validationError("Invalid marker");
  const end = start + pageSize;
  const page = items.slice(start, end);
  return end < items.length ? { page, nextMarker: markerFor(end) } : { page };
}

const markerFor = (offset: number) => Buffer.from(`elbv2-offset:${offset}`).toString("base64");

function offsetOf(marker: string): number {
  const match = Buffer.from(marker, "base64")
    .toString("utf8")
    .match(/^elbv2-offset:(\d+)$/);
  if (!match?.[1]) throw validationError("Invalid marker");
  return Number(match[1]);
}
