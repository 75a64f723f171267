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

/**
 * At most this many problems of one file are listed (then one saying how many more there are): a file
 * of garbage would otherwise print thousands. Fixing the first ones usually clears the rest.
 */
export const MAX_ISSUES_PER_FILE = 50;
/** Longer paths and messages are cut: a key or value can be as long as the file. */
const MAX_PATH_LENGTH = 200;
const MAX_MESSAGE_LENGTH = 1000;

/** Everything wrong with one spec file. The loader throws nothing else. */
export class SpecError extends Error {
  readonly file: string;
  /** The problems in file order: the first `MAX_ISSUES_PER_FILE`, then one counting the rest. */
  readonly issues: readonly SpecIssue[];
  /** How many problems were found, listed or not. */
  readonly count: number;

  constructor(file: string, issues: readonly SpecIssue[]) {
    const listed = issues.slice(0, MAX_ISSUES_PER_FILE).map(shortened);
    const more = issues.length - listed.length;
    if (more > 0) {
      listed.push({
        severity: "error",
        file,
        path: "",
        message: `… and ${more} more problem${more === 1 ? "" : "s"}: fix the ones above first`,
      });
    }
    super(listed.map(formatIssue).join("\n"));
    this.name = "SpecError";
    this.file = file;
    this.issues = listed;
    this.count = issues.length;
  }
}

function shortened(issue: SpecIssue): SpecIssue {
  const cut = (text: string, length: number) =>
    text.length > length ? `${text.slice(0, length - 1)}…` : text;
  return {
    ...issue,
    path: cut(issue.path, MAX_PATH_LENGTH),
    message: cut(issue.message, MAX_MESSAGE_LENGTH),
  };
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
