/** Problems found in a spec file, each tied to a place in it, and the one error type the loader throws. */

export type IssueSeverity = "error" | "warning";

/** One problem: where it is (file, line, column, field path) and what to do about it. */
export interface SpecIssue {
  severity: IssueSeverity;
  file: string;
  /** 1-based; absent when the problem is the file itself (missing, unreadable). */
  line?: number;
  column?: number;
  /** Dotted field path, e.g. `spec.autoscaling.maxTasks`; empty for the document as a whole. */
  path: string;
  message: string;
}

/** Everything wrong with one spec file. The loader throws nothing else. */
export class SpecError extends Error {
  readonly file: string;
  readonly issues: readonly SpecIssue[];

  constructor(file: string, issues: readonly SpecIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "SpecError";
    this.file = file;
    this.issues = issues;
  }
}

/** `service.yaml:31:20 spec.autoscaling.maxTasks: must be >= minTasks (4)` */
export function formatIssue(issue: SpecIssue): string {
  if (issue.line === undefined)
    return `${issue.file}: ${issue.path ? `${issue.path}: ` : ""}${issue.message}`;
  const where = `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  return issue.path ? `${where} ${issue.path}: ${issue.message}` : `${where} ${issue.message}`;
}

/** Joins a field path the way users read it: `spec.network.taskSubnets[1]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text ? `.${String(segment)}` : String(segment);
  }
  return text;
}
