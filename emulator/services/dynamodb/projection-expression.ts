/** ProjectionExpression: a comma-separated list of document paths to return. */
import { type DocumentPath, type ExpressionAttributes, ExpressionIssues } from "./expression-attributes.ts";
import { Cursor, formatPath, parsePath } from "./expression-syntax.ts";

/** Parses and resolves a projection; throws ExpressionError with AWS's message. */
export function parseProjection(source: string, attributes: ExpressionAttributes): DocumentPath[] {
  const cursor = new Cursor(source);
  const issues = new ExpressionIssues();
  const paths: DocumentPath[] = [];
  do paths.push(attributes.path(parsePath(cursor), issues));
  while (cursor.acceptSymbol(","));
  cursor.expectEnd();
  for (const [index, second] of paths.entries()) {
    for (const first of paths.slice(0, index)) {
      const shared = Math.min(first.length, second.length);
      if (first.slice(0, shared).every((step, at) => step === second[at]))
        issues.add(
          "overlap",
          `Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${formatPath(first)}, path two: ${formatPath(second)}`,
        );
    }
  }
  issues.throwFirst(["reserved", "undefined", "overlap"]);
  return paths;
}
