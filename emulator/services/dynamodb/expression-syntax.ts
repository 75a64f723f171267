/**
 * The lexical layer every DynamoDB expression shares: a tokenizer, a cursor with AWS-style syntax
 * errors, and the grammar of document paths and operands (`a.b[0]`, `#n`, `:v`, `size(a)`). The
 * condition, update and projection parsers build on it.
 */

export type TokenKind =
  | "identifier"
  | "keyword"
  | "name"
  | "value"
  | "integer"
  | "symbol"
  /** Something no rule accepts (a lone `:`, `@`): the parser reports it as a syntax error in context. */
  | "invalid"
  | "eof";

export interface Token {
  kind: TokenKind;
  /** The source text (keywords upper-cased). */
  text: string;
  start: number;
  end: number;
}

/** A malformed expression; the caller prefixes it with "Invalid ConditionExpression: " and the like. */
export class ExpressionError extends Error {
  override name = "ExpressionError";
}

const KEYWORDS = new Set(["AND", "OR", "NOT", "BETWEEN", "IN"]);
const SYMBOLS = ["<>", "<=", ">=", "(", ")", "[", "]", ",", ".", "=", "<", ">", "+", "-"];
const WORD_PART = /[A-Za-z0-9_]/;

/**
 * AWS's wording: the offending token, and the source from the token before it to the token after it
 * (`ADD hits : incr` → token ":", near "hits : incr").
 */
function syntaxError(source: string, tokens: Token[], index: number): ExpressionError {
  const token = tokens[index] as Token;
  const shown = token.kind === "eof" ? "<EOF>" : token.text;
  const start = (tokens[index - 1] ?? token).start;
  const end = (tokens[index + 1] ?? token).end;
  return new ExpressionError(`Syntax error; token: "${shown}", near: "${source.slice(start, end)}"`);
}

/** Splits an expression into tokens; whitespace separates, nothing else is skipped, nothing throws. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < source.length) {
    const char = source[position] as string;
    if (/\s/.test(char)) {
      position++;
      continue;
    }
    const start = position;
    if (char === "#" || char === ":" || WORD_PART.test(char)) {
      position++;
      while (position < source.length && WORD_PART.test(source[position] as string)) position++;
      const text = source.slice(start, position);
      if (char === "#" || char === ":") {
        const kind = text.length === 1 ? "invalid" : char === "#" ? "name" : "value";
        tokens.push({ kind, text, start, end: position });
      } else if (/^\d+$/.test(text)) tokens.push({ kind: "integer", text, start, end: position });
      else if (/^\d/.test(text)) tokens.push({ kind: "invalid", text, start, end: position });
      else if (KEYWORDS.has(text.toUpperCase()))
        tokens.push({ kind: "keyword", text: text.toUpperCase(), start, end: position });
      else tokens.push({ kind: "identifier", text, start, end: position });
      continue;
    }
    const symbol = SYMBOLS.find((candidate) => source.startsWith(candidate, position));
    position += symbol?.length ?? 1;
    tokens.push({
      kind: symbol ? "symbol" : "invalid",
      text: source.slice(start, position),
      start,
      end: position,
    });
  }
  tokens.push({ kind: "eof", text: "", start: source.length, end: source.length });
  return tokens;
}

const OPERATOR_SYMBOLS = new Set(["=", "<>", "<", "<=", ">", ">=", "+", "-"]);

/** Operators and function calls in an expression: DynamoDB allows 300 per expression. */
export function operatorCount(source: string): number {
  const tokens = tokenize(source);
  return tokens.filter(
    (token, index) =>
      token.kind === "keyword" ||
      (token.kind === "symbol" && OPERATOR_SYMBOLS.has(token.text)) ||
      (token.kind === "identifier" && tokens[index + 1]?.text === "("),
  ).length;
}

/** Walks the tokens; `fail()` reports the current token the way AWS does. */
export class Cursor {
  readonly source: string;
  readonly #tokens: Token[];
  #index = 0;

  constructor(source: string) {
    this.source = source;
    this.#tokens = tokenize(source);
  }

  get current(): Token {
    return this.#tokens[this.#index] as Token;
  }

  /** The token after the current one. */
  get next(): Token {
    return this.#tokens[Math.min(this.#index + 1, this.#tokens.length - 1)] as Token;
  }

  advance(): Token {
    const token = this.current;
    if (token.kind !== "eof") this.#index++;
    return token;
  }

  isSymbol(text: string): boolean {
    return this.current.kind === "symbol" && this.current.text === text;
  }

  isKeyword(text: string): boolean {
    return this.current.kind === "keyword" && this.current.text === text;
  }

  /** Consumes the symbol if it is next. */
  acceptSymbol(text: string): boolean {
    if (!this.isSymbol(text)) return false;
    this.advance();
    return true;
  }

  expectSymbol(text: string): void {
    if (!this.acceptSymbol(text)) throw this.fail();
  }

  expectEnd(): void {
    if (this.current.kind !== "eof") throw this.fail();
  }

  fail(): ExpressionError {
    return syntaxError(this.source, this.#tokens, this.#index);
  }
}

/** One step of a document path as written: a plain name, a `#name` placeholder, or a list index. */
export type PathElement =
  | { kind: "identifier"; name: string }
  | { kind: "placeholder"; name: string }
  | { kind: "index"; index: number };

export interface ParsedPath {
  kind: "path";
  elements: PathElement[];
}

/** An operand as written: a path, a `:value` placeholder, or a function call (`size(a)`, `if_not_exists(a, :v)`). */
export type ParsedOperand =
  | ParsedPath
  | { kind: "value"; name: string }
  | { kind: "call"; name: string; args: ParsedOperand[] };

/** A path: a name, then `.name` and `[index]` steps. */
export function parsePath(cursor: Cursor): ParsedPath {
  const elements: PathElement[] = [pathName(cursor)];
  for (;;) {
    if (cursor.acceptSymbol(".")) elements.push(pathName(cursor));
    else if (cursor.acceptSymbol("[")) {
      if (cursor.current.kind !== "integer") throw cursor.fail();
      elements.push({ kind: "index", index: Number(cursor.advance().text) });
      cursor.expectSymbol("]");
    } else return { kind: "path", elements };
  }
}

function pathName(cursor: Cursor): PathElement {
  const token = cursor.current;
  if (token.kind === "identifier") return { kind: "identifier", name: cursor.advance().text };
  if (token.kind === "name") return { kind: "placeholder", name: cursor.advance().text };
  throw cursor.fail();
}

/** A path, a value placeholder or a function call (a name followed by `(`). */
export function parsePlainOperand(
  cursor: Cursor,
  parseArgument: (cursor: Cursor) => ParsedOperand,
): ParsedOperand {
  const token = cursor.current;
  if (token.kind === "value") return { kind: "value", name: cursor.advance().text };
  if (token.kind === "identifier" && cursor.next.kind === "symbol" && cursor.next.text === "(") {
    cursor.advance();
    cursor.advance();
    const args = [parseArgument(cursor)];
    while (cursor.acceptSymbol(",")) args.push(parseArgument(cursor));
    cursor.expectSymbol(")");
    return { kind: "call", name: token.text, args };
  }
  return parsePath(cursor);
}

/** `[a, b, [0]]`: how AWS prints a path in its messages. */
export function formatPath(path: readonly (string | number)[]): string {
  return `[${path.map((step) => (typeof step === "number" ? `[${step}]` : step)).join(", ")}]`;
}
