/**
 * Reads everything one service owns (or collides with): each kind's folder declares its part of the
 * observation and what it needs observed first (resources/observation-part.ts); this runs every part
 * as soon as its needs are in, so independent reads go in parallel and a read needing an ARN waits
 * only for the part that finds it. Nothing here knows a kind: the stack's folders declare the parts.
 */
import type { AnyObservationPart, ObservationPart } from "../resources/observation-part.ts";
import type { StackContext } from "./context.ts";

export type { Observation } from "./stack.ts";

/** The observation the parts assemble: one field per part, typed by what it finds. */
export type ObservationOf<Parts extends readonly AnyObservationPart[]> = {
  [Part in Parts[number] as Part["field"]]: Awaited<ReturnType<Part["observe"]>>;
};

/** The fields of parts whose needs the observation does not hold, or holds with another type. */
type UnmetNeeds<Parts extends readonly AnyObservationPart[]> = {
  [Part in Parts[number] as Part["field"]]: Part extends ObservationPart<string, unknown, infer Needs>
    ? ObservationOf<Parts> extends Needs
      ? never
      : Part["field"]
    : never;
}[Parts[number]["field"]];

/** Accepts parts whose needs are all observed; otherwise names the parts that need what is not. */
type WithNeedsMet<Parts extends readonly AnyObservationPart[]> = [UnmetNeeds<Parts>] extends [never]
  ? Parts
  : Parts & { unmetNeedsOf: UnmetNeeds<Parts> };

/** Observes every part, each once its needs are observed; rejects with the first read that fails. */
export async function observeParts<const Parts extends readonly AnyObservationPart[]>(
  parts: WithNeedsMet<Parts>,
  context: StackContext,
): Promise<ObservationOf<Parts>> {
  const byField = new Map(parts.map((part) => [part.field, part]));
  const observed = new Map<string, Promise<unknown>>();
  const starting = new Set<string>();
  const observe = (field: string): Promise<unknown> => {
    const found = observed.get(field);
    if (found) return found;
    const part = byField.get(field);
    if (!part) throw new Error(`observation part ${field} is needed but not part of the stack`);
    if (starting.has(field)) throw new Error(`observation part ${field} needs itself`);
    starting.add(field);
    const needed = part.needs.map(async (need) => [need, await observe(need)] as const);
    // `WithNeedsMet` checked each part's needs against the observation; here they are only fields.
    const value = Promise.all(needed).then((entries) =>
      part.observe(context, Object.fromEntries(entries) as never),
    );
    observed.set(field, value);
    return value;
  };
  const values = await Promise.all(parts.map((part) => observe(part.field)));
  return Object.fromEntries(parts.map((part, index) => [part.field, values[index]])) as ObservationOf<Parts>;
}
