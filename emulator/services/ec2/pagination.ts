/**
 * `MaxResults` / `NextToken` paging of Describe* answers. Results come in id order and a token names
 * the last id returned, so a page boundary survives resources being created or deleted in between.
 */
import { AwsError } from "../../errors.ts";
import type { Input } from "../../protocols/input.ts";
import { invalidParameterValue } from "./errors.ts";
import { read } from "./input.ts";

const MIN_PAGE = 5;
const MAX_PAGE = 1000;

function invalidToken(): AwsError {
  return new AwsError("InvalidPaginationToken", "Invalid pagination token");
}

/** One page of `items` (sorted here by `idOf`), and the token of the next page when there is one. */
export function paginate<T>(
  input: Input,
  items: readonly T[],
  idOf: (item: T) => string,
): { page: T[]; nextToken?: string } {
  const args = read(input);
  const maxResults = args.optionalInt("MaxResults");
  if (maxResults !== undefined && (maxResults < MIN_PAGE || maxResults > MAX_PAGE)) {
    throw invalidParameterValue(
      `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between ${MIN_PAGE} and ${MAX_PAGE}.`,
    );
  }
  const sorted = [...items].sort((a, b) => compare(idOf(a), idOf(b)));
  const token = args.optionalString("NextToken");
  const after = token === undefined ? undefined : decodeToken(token);
  const remaining = after === undefined ? sorted : sorted.filter((item) => compare(idOf(item), after) > 0);
  if (maxResults === undefined || remaining.length <= maxResults) return { page: remaining };
  const page = remaining.slice(0, maxResults);
  const last = page.at(-1);
  return last === undefined ? { page } : { page, nextToken: encodeToken(idOf(last)) };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function encodeToken(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString("base64url");
}

function decodeToken(token: string): string {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    const after = (decoded as { after?: unknown } | null)?.after;
    if (typeof after === "string") return after;
  } catch {
    // Falls through to the error below: a token the emulator did not issue.
  }
  throw invalidToken();
}
