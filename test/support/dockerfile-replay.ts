/**
 * Replays a Dockerfile's build steps on this machine, without Docker: each stage's filesystem root is a
 * folder, COPY honours .dockerignore, RUN runs in the stage's WORKDIR, ENV and PATH are mapped into the
 * folder. What it proves: the files the image copies and the commands it runs produce a working program.
 * What it cannot: the base image itself (its Node is this machine's Node 24).
 * RUN lines must use paths relative to WORKDIR; an absolute path would escape the stage folder.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { delimiter, dirname, join, matchesGlob, relative } from "node:path";

export interface ReplayedImage {
  /** The final stage's filesystem root on this machine. */
  root: string;
  /** The final WORKDIR, mapped into `root`. */
  workdir: string;
  /** ENV of the final stage with image paths mapped into `root`, over this process's environment. */
  env: NodeJS.ProcessEnv;
  entrypoint: string[];
  cmd: string[];
  user: string | undefined;
}

interface Stage {
  name: string | undefined;
  root: string;
  workdir: string;
  env: Record<string, string>;
  entrypoint: string[];
  cmd: string[];
  user: string | undefined;
}

/** Joins continuation lines and drops comments: one entry per instruction. */
function instructions(dockerfile: string): Array<{ keyword: string; args: string }> {
  const joined = dockerfile.replace(/\\\r?\n/g, " ");
  return joined
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [keyword = "", ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}

function readIgnorePatterns(context: string): string[] {
  const file = join(context, ".dockerignore");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** Runs the Dockerfile in `context` into folders under `workspace`; returns the final stage. */
export function replayDockerfile(
  context: string,
  workspace: string,
  options: { dockerfile?: string; runEnv?: NodeJS.ProcessEnv } = {},
): ReplayedImage {
  const ignore = readIgnorePatterns(context);
  const isIgnored = (path: string) =>
    ignore.some((pattern) => matchesGlob(path, pattern) || matchesGlob(path, `${pattern}/**`));
  const stages: Stage[] = [];
  let stage: Stage | undefined;

  const inStage = (current: Stage, imagePath: string) =>
    join(current.root, imagePath.startsWith("/") ? imagePath : join(current.workdir, imagePath));
  // Absolute paths written in the Dockerfile are inside the image; `$VAR`s expand to this machine's values.
  const mapEnvValue = (current: Stage, value: string) =>
    value
      .split(delimiter)
      .map((entry) => {
        if (entry.includes("$")) {
          return entry.replace(
            /\$\{?(\w+)\}?/g,
            (_match, name: string) => current.env[name] ?? process.env[name] ?? "",
          );
        }
        return entry.startsWith("/") ? join(current.root, entry) : entry;
      })
      .join(delimiter);

  for (const { keyword, args } of instructions(
    readFileSync(join(context, options.dockerfile ?? "Dockerfile"), "utf8"),
  )) {
    if (keyword === "FROM") {
      const [, alias] = args.split(/\s+as\s+/i);
      stage = {
        name: alias,
        root: join(workspace, `stage-${stages.length}`),
        workdir: "/",
        env: {},
        entrypoint: [],
        cmd: [],
        user: undefined,
      };
      mkdirSync(stage.root, { recursive: true });
      stages.push(stage);
      continue;
    }
    if (!stage) throw new Error(`${keyword} before FROM`);
    const current = stage;
    switch (keyword) {
      case "WORKDIR":
        current.workdir = args.startsWith("/") ? args : join(current.workdir, args);
        mkdirSync(join(current.root, current.workdir), { recursive: true });
        break;
      case "ENV": {
        const pairs = args.includes("=")
          ? [...args.matchAll(/(\w+)=("[^"]*"|\S+)/g)].map((m) => [m[1], m[2]])
          : [args.split(/\s+(.*)/s)];
        for (const [name = "", raw = ""] of pairs)
          current.env[name] = mapEnvValue(current, raw.replace(/^"|"$/g, ""));
        break;
      }
      case "COPY": {
        const words = args.split(/\s+/);
        const from = words.find((word) => word.startsWith("--from="))?.slice("--from=".length);
        const paths = words.filter((word) => !word.startsWith("--"));
        const destination = paths.pop() ?? ".";
        const source = from ? stages.find((candidate) => candidate.name === from) : undefined;
        if (from && !source) throw new Error(`COPY --from=${from}: no such stage`);
        for (const path of paths) {
          const origin = source ? inStage(source, path) : join(context, path);
          const target =
            destination.endsWith("/") || paths.length > 1
              ? join(inStage(current, destination), path.split("/").pop() ?? path)
              : inStage(current, destination);
          mkdirSync(dirname(target), { recursive: true });
          cpSync(origin, target, {
            recursive: true,
            verbatimSymlinks: true,
            filter: (file) => source !== undefined || file === origin || !isIgnored(relative(context, file)),
          });
        }
        break;
      }
      case "RUN":
        if (args.includes(current.workdir) && current.workdir !== "/")
          throw new Error(`RUN must use relative paths: ${args}`);
        execFileSync("sh", ["-c", args], {
          cwd: join(current.root, current.workdir),
          env: { ...process.env, ...options.runEnv, ...current.env },
          stdio: "pipe",
        });
        break;
      case "ENTRYPOINT":
        current.entrypoint = JSON.parse(args);
        break;
      case "CMD":
        current.cmd = JSON.parse(args);
        break;
      case "USER":
        current.user = args;
        break;
      case "EXPOSE":
      case "HEALTHCHECK":
      case "LABEL":
      case "ARG":
        break;
      default:
        throw new Error(`unsupported Dockerfile instruction: ${keyword}`);
    }
  }
  if (!stage) throw new Error("the Dockerfile has no FROM");
  return {
    root: stage.root,
    workdir: join(stage.root, stage.workdir),
    env: { ...process.env, ...stage.env },
    entrypoint: stage.entrypoint,
    cmd: stage.cmd,
    user: stage.user,
  };
}
