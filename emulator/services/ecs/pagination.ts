/** `nextToken` paging for the List operations: an opaque offset. */
import { invalidParameter } from "./errors.ts";

/** One page of `items` and the token for the next, if any. */
export function paginate<T>(
  items: T[],
  nextToken: string | undefined,
  limit: number,
): { page: T[]; nextToken?: string } {
  const start = nextToken === undefined ? 0 : Number(nextToken);
  if (!Number.isSafeInteger(start) || start < 0 || start > items.length)
    throw invalidParameter("Invalid nextToken.");
  const page = items.slice(start, start + limit);
  return start + limit < items.length ? { page, nextToken: String(start + limit) } : { page };
}
