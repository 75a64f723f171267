/** Reading, writing and removing values at document paths (`a.b[0]`) inside an item. */
import type { AttributeValue, Item } from "./attribute-values.ts";
import type { DocumentPath } from "./expression-attributes.ts";

/** The value at `path`, or undefined when any step is missing or of the wrong kind. */
export function valueAt(item: Item | undefined, path: DocumentPath): AttributeValue | undefined {
  let current: AttributeValue | undefined;
  for (const [index, step] of path.entries()) {
    if (index === 0) current = item?.[step as string];
    else if (typeof step === "number") current = current && "L" in current ? current.L[step] : undefined;
    else current = current && "M" in current ? current.M[step] : undefined;
    if (current === undefined) return undefined;
  }
  return current;
}

/** Where a path's last step lives, when everything before it exists: the map or list that holds it. */
function parentOf(item: Item, path: DocumentPath): Item | AttributeValue[] | undefined {
  if (path.length === 1) return item;
  const parent = valueAt(item, path.slice(0, -1));
  const last = path.at(-1);
  if (typeof last === "number") return parent && "L" in parent ? parent.L : undefined;
  return parent && "M" in parent ? parent.M : undefined;
}

/**
 * Sets the value at `path` in place. False when the path cannot be written (a missing parent, or a
 * step of the wrong kind): AWS's "document path provided in the update expression is invalid".
 * An index past a list's end appends, as DynamoDB does.
 */
export function setValueAt(item: Item, path: DocumentPath, value: AttributeValue): boolean {
  const parent = parentOf(item, path);
  const last = path.at(-1) as string | number;
  if (parent === undefined) return false;
  if (Array.isArray(parent)) {
    const index = last as number;
    if (index >= parent.length) parent.push(value);
    else parent[index] = value;
  } else parent[last as string] = value;
  return true;
}

/** Removes the value at `path` in place; a missing one is left alone (REMOVE of nothing succeeds). */
export function removeValueAt(item: Item, path: DocumentPath): boolean {
  const parent = parentOf(item, path);
  const last = path.at(-1) as string | number;
  if (parent === undefined) return false;
  if (Array.isArray(parent)) {
    if ((last as number) < parent.length) parent.splice(last as number, 1);
  } else delete parent[last as string];
  return true;
}

/**
 * The parts of `item` that `paths` name, shaped like the item (ProjectionExpression, UPDATED_OLD and
 * UPDATED_NEW): a map keeps the projected keys, a list the projected elements in their order.
 */
export function projectPaths(item: Item, paths: readonly DocumentPath[]): Item {
  const projected: Item = {};
  for (const path of paths) {
    const value = valueAt(item, path);
    if (value !== undefined) mergePath(projected, path, value, item);
  }
  return compactLists(projected);
}

/** Lists under projection are built sparse (by source index) and compacted at the end. */
function mergePath(target: Item, path: DocumentPath, value: AttributeValue, source: Item): void {
  let container: Item | AttributeValue[] = target;
  for (const [index, step] of path.entries()) {
    const isLast = index === path.length - 1;
    const sourceValue = valueAt(source, path.slice(0, index + 1)) as AttributeValue;
    const key = step as never;
    if (isLast) {
      (container as Record<string | number, AttributeValue>)[key] = structuredClone(value);
      return;
    }
    let next: AttributeValue | undefined = (container as Record<string | number, AttributeValue | undefined>)[
      key
    ];
    if (next === undefined) {
      next = "L" in sourceValue ? { L: [] } : { M: {} };
      (container as Record<string | number, AttributeValue>)[key] = next;
    }
    container = "L" in next ? next.L : (next as { M: Item }).M;
  }
}

function compactLists(item: Item): Item {
  const compact = (value: AttributeValue): AttributeValue => {
    if ("L" in value) return { L: value.L.filter((element) => element !== undefined).map(compact) };
    if ("M" in value) return { M: compactLists(value.M) };
    return value;
  };
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, compact(value)]));
}
