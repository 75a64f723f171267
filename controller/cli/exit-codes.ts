/** Process exit codes, the same for every command. */
export const ExitCode = {
  /** Success; for `plan --detailed-exitcode`, also "no changes". */
  Ok: 0,
  /** Anything went wrong: invalid spec, AWS error, bad usage. */
  Error: 1,
  /** `plan --detailed-exitcode` only: the plan has changes. */
  Changes: 2,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
