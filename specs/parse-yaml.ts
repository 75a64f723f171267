/**
 * YAML text → documents, with the two costs a hostile file could blow up kept bounded: nesting depth
 * (the YAML library composes recursively, so thousands of `[` overflow the stack) is checked while the
 * text is parsed, before anything recursive runs; and duplicate keys are found in linear time (the
 * library's own check compares every key with every other: minutes for a big mapping).
 */
import {
  Composer,
  type CST,
  type Document,
  isScalar,
  Lexer,
  type LineCounter,
  Parser,
  Scalar,
  visit,
} from "yaml";

/** Collections nested deeper than this are refused; a spec needs about six levels. */
export const MAX_NESTING_DEPTH = 64;

/** A problem in the YAML text at a character offset. */
export interface YamlProblem {
  offset: number;
  message: string;
}

export type ParsedYaml = { ok: true; documents: Document.Parsed[] } | { ok: false; problem: YamlProblem };

const COLLECTIONS: ReadonlySet<string> = new Set(["block-map", "block-seq", "flow-collection"]);

class NestingTooDeep extends Error {
  readonly offset: number;
  constructor(offset: number) {
    super("nesting too deep");
    this.offset = offset;
  }
}

/** Parses every document of `text` (YAML 1.2), or says where its nesting goes deeper than the limit. */
export function parseYamlDocuments(text: string, lineCounter: LineCounter): ParsedYaml {
  const parser = new Parser(lineCounter.addNewLine);
  lineCounter.addNewLine(0);
  // Duplicate keys are found by `duplicateKeys`, in linear time.
  const composer = new Composer({ uniqueKeys: false, version: "1.2" });
  try {
    return { ok: true, documents: Array.from(composer.compose(depthCheckedTokens(text, parser))) };
  } catch (error) {
    if (!(error instanceof NestingTooDeep)) throw error;
    return {
      ok: false,
      problem: {
        offset: error.offset,
        message: `nested more than ${MAX_NESTING_DEPTH} levels deep: a spec needs a handful; flatten it`,
      },
    };
  }
}

/** The parser's syntax tokens, stopping at the first collection opened beyond the depth limit. */
function* depthCheckedTokens(text: string, parser: Parser): Generator<CST.Token> {
  for (const lexeme of new Lexer().lex(text)) {
    const offset = parser.offset;
    yield* parser.next(lexeme);
    // The parser's stack holds the collections open at this point, and a few tokens besides.
    if (parser.stack.length > MAX_NESTING_DEPTH) {
      const depth = parser.stack.filter((token) => COLLECTIONS.has(token.type)).length;
      if (depth > MAX_NESTING_DEPTH) throw new NestingTooDeep(offset);
    }
  }
  yield* parser.end();
}

/** Every key written twice in one mapping, at the second occurrence (keys compare by value: `1` and `0x1` are one key). */
export function duplicateKeys(document: Document.Parsed, lineCounter: LineCounter): YamlProblem[] {
  const problems: YamlProblem[] = [];
  visit(document, {
    Map(_key, map) {
      const firstOffsets = new Map<unknown, number>();
      for (const { key } of map.items) {
        if (!isScalar(key)) continue;
        const offset = key.range?.[0] ?? 0;
        const first = firstOffsets.get(key.value);
        if (first === undefined) {
          firstOffsets.set(key.value, offset);
          continue;
        }
        const name = JSON.stringify(String(key.value));
        problems.push({
          offset,
          message: `duplicate key ${name.length > 60 ? `${name.slice(0, 59)}…"` : name} (first on line ${lineCounter.linePos(first).line}): keep one of them`,
        });
      }
    },
  });
  return problems;
}

/**
 * The one syntax error worth reporting of a document that has any: the first in the text. The parser
 * recovers from a typo by reading the lines after it as something else, so every later error is an
 * echo of the first (an unclosed `[` yields a dozen); fixing the first is what the user has to do.
 */
export function firstSyntaxError(document: Document.Parsed, text: string): YamlProblem | undefined {
  const problems = document.errors.map((error) => {
    const offset = error.pos[0];
    const unclosed = error.code === "BLOCK_IN_FLOW" || /^Flow (sequence|map) .*end with/.test(error.message);
    if (!unclosed) return { offset, rank: 1, message: firstLine(error.message) };
    // The library points inside the collection, or past its end; the typo is its opening bracket.
    return {
      offset: openingBracketAround(document, text, offset) ?? offset,
      rank: 0,
      message: "a [ or { opened here is never closed: close it on its line, or remove it",
    };
  });
  const [first] = problems.sort((a, b) => a.offset - b.offset || a.rank - b.rank);
  if (!first) return undefined;
  const message = document.errors.some(
    (error) => error.code === "TAB_AS_INDENT" && error.pos[0] === first.offset,
  )
    ? "a tab indents this line: indent with spaces"
    : first.message;
  return { offset: first.offset, message: `YAML syntax error: ${message}` };
}

/** Where the innermost `[` or `{` enclosing `offset` opens. */
function openingBracketAround(document: Document.Parsed, text: string, offset: number): number | undefined {
  let opening: number | undefined;
  const consider = (range: readonly number[] | null | undefined) => {
    const [start, , end] = range ?? [];
    if (start === undefined || end === undefined || start > offset || end < offset) return;
    if ((text[start] === "[" || text[start] === "{") && (opening === undefined || start > opening))
      opening = start;
  };
  visit(document, {
    Seq: (_key, node) => consider(node.flow ? node.range : undefined),
    Map: (_key, node) => consider(node.flow ? node.range : undefined),
  });
  return opening;
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}

/**
 * Every merge key (`<<: *base`, YAML 1.1). The loader reads YAML 1.2, where `<<` is an ordinary key,
 * so without this check it reads as an unknown field named "<<" and the user is told to rename it.
 */
export function mergeKeys(document: Document.Parsed): YamlProblem[] {
  const problems: YamlProblem[] = [];
  visit(document, {
    Pair(_key, pair) {
      const { key } = pair;
      if (isScalar(key) && key.type === Scalar.PLAIN && key.value === "<<") {
        problems.push({
          offset: key.range?.[0] ?? 0,
          message: "merge keys (<<) are not supported: write the fields out",
        });
      }
    },
  });
  return problems;
}
