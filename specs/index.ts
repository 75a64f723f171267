/** The spec API: everything other folders may import from `specs/`. */

export * from "./derived-names.ts";
export { describeFargateMemory, FARGATE_CPU_UNITS, fargateMemoryFor } from "./fargate.ts";
export { formatIssue, formatPath, MAX_ISSUES_PER_FILE, SpecError, type SpecIssue } from "./issues.ts";
export { serviceJsonSchema, serviceJsonSchemaText } from "./json-schema.ts";
export {
  type LoadedSpec,
  loadSpecFile,
  loadSpecPath,
  parseSpec,
  type SpecFileResult,
  STDIN_NAME,
  STDIN_PATH,
} from "./load.ts";
export { MAX_NESTING_DEPTH } from "./parse-yaml.ts";
export {
  API_VERSION,
  KIND,
  RESERVED_TAG_PREFIX,
  type ServiceSpec,
  type ServiceSpecInput,
  serviceDocumentSchema,
} from "./schema.ts";
export {
  isSpecFileName,
  readIssue,
  type SpecPathKind,
  specFilesAt,
  specFilesIn,
  specPathKind,
} from "./spec-files.ts";
export { MAX_SPEC_FILE_BYTES, readSpecText } from "./spec-text.ts";
