/** A problem the user can fix: printed as one line (plus a hint), never with a stack trace. */
export class CliError extends Error {
  readonly hint: string | undefined;

  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.name = "CliError";
    this.hint = options?.hint;
  }
}
