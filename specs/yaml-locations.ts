/** Maps a field path of a parsed YAML document back to the line and column it came from. */
import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
  type YAMLMap,
} from "yaml";

export interface Location {
  line: number;
  column: number;
}

/**
 * Where a path points: the value's position when it exists; for a key that is absent (a missing
 * required field) the key of the nearest enclosing field, so the user lands in the right block.
 * `atKey` points at the key instead of the value (unknown keys).
 */
export function locate(
  document: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
  atKey = false,
): Location {
  let node: unknown = document.contents;
  let enclosingKey: Node | undefined;
  let offset: number | undefined = rangeStart(node);

  for (let index = 0; index < path.length; index++) {
    const segment = path[index];
    const isLast = index === path.length - 1;
    if (isMap(node)) {
      const pair = pairsByKey(node).get(String(segment));
      if (!pair) return position(lineCounter, rangeStart(enclosingKey) ?? offset ?? 0);
      const key = pair.key as Node;
      if (isLast && atKey) return position(lineCounter, rangeStart(key) ?? 0);
      enclosingKey = key;
      node = pair.value;
      offset = rangeStart(pair.value) ?? rangeStart(key);
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (item === undefined) return position(lineCounter, offset ?? 0);
      node = isPair(item) ? item.value : item;
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  return position(lineCounter, offset ?? 0);
}

/**
 * A mapping's pairs by key, built once per mapping: locating every key of a mapping with thousands of
 * them (each unknown, say) stays linear instead of searching the mapping once per key.
 */
const pairIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairsByKey(map: YAMLMap): Map<string, Pair> {
  let index = pairIndexes.get(map);
  if (!index) {
    index = new Map();
    for (const item of map.items) {
      // The first of two equal keys wins, as a search from the start would find it.
      if (isScalar(item.key) && !index.has(String(item.key.value))) index.set(String(item.key.value), item);
    }
    pairIndexes.set(map, index);
  }
  return index;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range?.[0];
}

function position(lineCounter: LineCounter, offset: number): Location {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}
