/**
 * Reads service specs: YAML text → validated, fully defaulted `ServiceSpec`, or a `SpecError` listing
 * every problem with its file, line, column and field path. Nothing else is ever thrown.
 */
import { type Document, LineCounter } from "yaml";
import type { z } from "zod";
import { describeIssue, describeValueKind } from "./describe-issue.ts";
import { closestMatch } from "./did-you-mean.ts";
import { formatPath, SpecError, type SpecIssue } from "./issues.ts";
import { knownKeysAt } from "./json-schema.ts";
import { duplicateKeys, firstSyntaxError, mergeKeys, parseYamlDocuments } from "./parse-yaml.ts";
import { type ServiceSpec, serviceDocumentSchema } from "./schema.ts";
import { readIssue, specFilesAt } from "./spec-files.ts";
import { readSpecStream, readSpecText } from "./spec-text.ts";
import { collectWarnings } from "./warnings.ts";
import { type Location, locate } from "./yaml-locations.ts";

/** A spec that passed validation, with the advice found in it. */
export interface LoadedSpec {
  file: string;
  spec: ServiceSpec;
  warnings: SpecIssue[];
  /** Where a field of the spec was written, so later errors (an unknown subnet, say) can point at it. */
  locate(path: readonly PropertyKey[]): Location;
}

/** Aliases expanded beyond this count are refused (a "billion laughs" file would exhaust memory). */
const MAX_ALIAS_EXPANSIONS = 100;

/** Parses and validates one spec document. `file` is only used to name the source in issues. */
export function parseSpec(text: string, file: string): LoadedSpec {
  const lineCounter = new LineCounter();
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const issue = (where: { line: number; column: number }, path: string, message: string): SpecIssue => ({
    severity: "error",
    file,
    ...where,
    path,
    message,
  });

  const parsed = parseYamlDocuments(text, lineCounter);
  if (!parsed.ok) throw new SpecError(file, [issue(at(parsed.problem.offset), "", parsed.problem.message)]);
  const { documents } = parsed;
  if (documents.length === 0 || documents.every((doc) => doc.contents === null)) {
    throw new SpecError(file, [
      issue(
        { line: 1, column: 1 },
        "",
        "the file is empty: expected a Service document (apiVersion, kind, metadata, spec)",
      ),
    ]);
  }

  const syntaxError = documents
    .map((doc) => firstSyntaxError(doc, text))
    .find((problem) => problem !== undefined);
  if (syntaxError) throw new SpecError(file, [issue(at(syntaxError.offset), "", syntaxError.message)]);
  const structureIssues = documents.flatMap((doc) =>
    [...duplicateKeys(doc, lineCounter), ...mergeKeys(doc)].map((problem) =>
      issue(at(problem.offset), "", problem.message),
    ),
  );
  if (structureIssues.length > 0) throw new SpecError(file, structureIssues.sort(byPosition));

  const [document, ...extra] = documents.filter((doc) => doc.contents !== null);
  if (!document) throw new SpecError(file, [issue({ line: 1, column: 1 }, "", "the file holds no document")]);
  if (extra[0]) {
    throw new SpecError(file, [
      issue(
        at(extra[0].range[0]),
        "",
        "one Service per file: move each further document (after ---) to a file of its own",
      ),
    ]);
  }

  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
  } catch (error) {
    throw new SpecError(file, [
      issue({ line: 1, column: 1 }, "", `cannot read the YAML: ${firstLine(String(error))}`),
    ]);
  }

  const result = serviceDocumentSchema.safeParse(value, { error: describeIssue, reportInput: true });
  if (!result.success) {
    const issues = result.error.issues.flatMap((zodIssue) =>
      toSpecIssues(zodIssue, document, lineCounter, file),
    );
    throw new SpecError(file, issues.sort(byPosition));
  }

  const warnings = collectWarnings(result.data, value).map((warning) => ({
    severity: "warning" as const,
    file,
    ...locate(document, lineCounter, warning.path),
    path: formatPath(warning.path),
    message: warning.message,
  }));
  return { file, spec: result.data, warnings, locate: locatorFor(text) };
}

/**
 * Where a path was written, worked out from the text when asked. A daemon holds every spec in force
 * (a thousand, for a fleet) and asks only when AWS refuses a value: keeping the text costs a few
 * kilobytes a spec, keeping its syntax tree twenty.
 */
function locatorFor(text: string): LoadedSpec["locate"] {
  return (path) => {
    const lineCounter = new LineCounter();
    const parsed = parseYamlDocuments(text, lineCounter);
    const document = parsed.ok ? parsed.documents.find((doc) => doc.contents !== null) : undefined;
    return document ? locate(document, lineCounter, path) : { line: 1, column: 1 };
  };
}

function toSpecIssues(
  zodIssue: z.core.$ZodIssue,
  document: Document,
  lineCounter: LineCounter,
  file: string,
): SpecIssue[] {
  if (zodIssue.code === "unrecognized_keys") {
    const known = knownKeysAt(zodIssue.path);
    return zodIssue.keys.map((key) => {
      const path = [...zodIssue.path, key];
      const suggestion = closestMatch(key, known);
      const hint = suggestion ? `did you mean "${suggestion}"?` : `allowed here: ${known.join(", ")}`;
      return {
        severity: "error",
        file,
        ...locate(document, lineCounter, path, true),
        path: formatPath(path),
        message: `unknown field; ${hint}`,
      };
    });
  }
  const message =
    zodIssue.path.length === 0 && zodIssue.code === "invalid_type"
      ? `expected a Service document (a mapping with apiVersion, kind, metadata, spec), got ${describeValueKind(zodIssue.input)}`
      : zodIssue.message;
  return [
    {
      severity: "error",
      file,
      // A bad key is fixed at the key, not at its value.
      ...locate(document, lineCounter, zodIssue.path, zodIssue.code === "invalid_key"),
      path: formatPath(zodIssue.path),
      message,
    },
  ];
}

function byPosition(a: SpecIssue, b: SpecIssue): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}

/** Reads (at most `MAX_SPEC_FILE_BYTES`) and validates one spec file. */
export async function loadSpecFile(file: string): Promise<LoadedSpec> {
  let text: string;
  try {
    text = await readSpecText(file);
  } catch (error) {
    if (error instanceof SpecError) throw error;
    throw new SpecError(file, [readIssue(file, error)]);
  }
  return parseSpec(text, file);
}

/** The outcome for one file of a spec path: loaded, or everything wrong with it. */
export type SpecFileResult =
  | { file: string; ok: true; loaded: LoadedSpec }
  | { file: string; ok: false; error: SpecError };

/** `-f -`: the spec is read from standard input, and named `<stdin>` in problems. */
export const STDIN_PATH = "-";
export const STDIN_NAME = "<stdin>";

/**
 * Loads a spec file, or every `*.yaml`/`*.yml` file of a directory (one service each, sorted by name),
 * or with `STDIN_PATH` the one spec `stdin` holds (when the caller offers one).
 * Two files naming the same service are both reported, since neither can be trusted to win.
 */
export async function loadSpecPath(
  path: string,
  stdin?: AsyncIterable<Uint8Array | string>,
): Promise<SpecFileResult[]> {
  if (path === STDIN_PATH) return [await loadSpecStdin(stdin)];
  const files = await specFilesAt(path);
  const results = await Promise.all(
    files.map(async (file): Promise<SpecFileResult> => {
      try {
        return { file, ok: true, loaded: await loadSpecFile(file) };
      } catch (error) {
        if (error instanceof SpecError) return { file, ok: false, error };
        throw error;
      }
    }),
  );
  return rejectDuplicateNames(results);
}

async function loadSpecStdin(stdin: AsyncIterable<Uint8Array | string> | undefined): Promise<SpecFileResult> {
  const file = STDIN_NAME;
  try {
    if (!stdin) {
      throw new SpecError(file, [
        {
          severity: "error",
          file,
          path: "",
          message: "this command does not read a spec from stdin (-f -): pass a file or directory",
        },
      ]);
    }
    return { file, ok: true, loaded: parseSpec(await readSpecStream(file, stdin), file) };
  } catch (error) {
    if (error instanceof SpecError) return { file, ok: false, error };
    return { file, ok: false, error: new SpecError(file, [readIssue(file, error)]) };
  }
}

function rejectDuplicateNames(results: SpecFileResult[]): SpecFileResult[] {
  const filesByName = new Map<string, string[]>();
  for (const result of results) {
    if (!result.ok) continue;
    const name = result.loaded.spec.metadata.name;
    filesByName.set(name, [...(filesByName.get(name) ?? []), result.file]);
  }
  return results.map((result) => {
    if (!result.ok) return result;
    const name = result.loaded.spec.metadata.name;
    const others = (filesByName.get(name) ?? []).filter((file) => file !== result.file);
    if (others.length === 0) return result;
    const issue: SpecIssue = {
      severity: "error",
      file: result.file,
      ...result.loaded.locate(["metadata", "name"]),
      path: "metadata.name",
      message: `service "${name}" is also defined in ${others.join(", ")}: each service must have exactly one spec file`,
    };
    return { file: result.file, ok: false, error: new SpecError(result.file, [issue]) };
  });
}
