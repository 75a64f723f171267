/**
 * Decisions drawn from one pass's observation (a claim, a target group transition, what destroy
 * leaves in place) are made once and shared by every kind that needs them, whichever asks first: the
 * kinds stay independent of each other's order, and a decision that needs itself is caught as a bug.
 */

/** `decide` for one scope: each decision function runs once, with the scope, and its value is kept. */
export function decisionsOf<Scope>(scope: () => Scope): <T>(decision: (scope: Scope) => T) => T {
  const made = new Map<(scope: Scope) => unknown, { value: unknown } | "deciding">();
  return <T>(decision: (scope: Scope) => T): T => {
    const found = made.get(decision);
    if (found === "deciding") throw new Error(`decision ${decision.name} depends on itself`);
    if (found) return found.value as T;
    made.set(decision, "deciding");
    const value = decision(scope());
    made.set(decision, { value });
    return value;
  };
}
