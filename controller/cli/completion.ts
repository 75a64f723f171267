/**
 * Shell completion scripts for bash, zsh and fish, generated from the commander program itself, so a
 * new command or option completes without anyone remembering to edit a script. `-f`/`--file` completes
 * file names; other options that take a value complete nothing (their values are free text).
 */
import type { Command, Option } from "commander";

export const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

const EXECUTABLE = "ecs-converge";

interface CommandShape {
  name: string;
  description: string;
  options: OptionShape[];
  /** Words the command's first argument takes (`completion bash|zsh|fish`). */
  argumentChoices: string[];
}

interface OptionShape {
  short?: string;
  long?: string;
  description: string;
  takesValue: boolean;
  takesFile: boolean;
}

/** The completion script for `shell`, covering every command and option of `program`. */
export function completionScript(program: Command, shell: CompletionShell): string {
  const commands = program.commands.map(commandShape);
  switch (shell) {
    case "bash":
      return bashScript(commands);
    case "zsh":
      return zshScript(commands);
    case "fish":
      return fishScript(commands);
  }
}

function commandShape(command: Command): CommandShape {
  const options = command.options.map(optionShape);
  options.push({
    long: "--help",
    description: "display help for command",
    takesValue: false,
    takesFile: false,
  });
  const argumentChoices = command.registeredArguments.flatMap((argument) => argument.argChoices ?? []);
  return { name: command.name(), description: command.description(), options, argumentChoices };
}

function optionShape(option: Option): OptionShape {
  const takesValue = option.required || option.optional;
  return {
    ...(option.short ? { short: option.short } : {}),
    ...(option.long ? { long: option.long } : {}),
    description: option.description,
    takesValue,
    takesFile: takesValue && option.long === "--file",
  };
}

const flagsOf = (option: OptionShape): string[] =>
  [option.short, option.long].filter((flag): flag is string => flag !== undefined);

function bashScript(commands: CommandShape[]): string {
  const words = (list: string[]) => list.join(" ");
  const fileFlags = commands.flatMap((command) =>
    command.options.filter((option) => option.takesFile).flatMap(flagsOf),
  );
  const valueFlags = commands.flatMap((command) =>
    command.options.filter((option) => option.takesValue && !option.takesFile).flatMap(flagsOf),
  );
  const cases = commands.map((command) => {
    const candidates = [...command.options.flatMap(flagsOf), ...command.argumentChoices];
    return `    ${command.name}) COMPREPLY=($(compgen -W "${words(candidates)}" -- "$cur")) ;;`;
  });
  return `# ${EXECUTABLE} completion for bash. Load it in this shell:  source <(${EXECUTABLE} completion bash)
# or for every shell: ${EXECUTABLE} completion bash > ~/.local/share/bash-completion/completions/${EXECUTABLE}
_ecs_converge() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${words(commands.map((command) => command.name))} --help --version" -- "$cur"))
    return
  fi
  case "$prev" in
    ${unique(fileFlags).join("|") || "-f"})
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
      return ;;
    ${unique(valueFlags).join("|") || "--"})
      return ;;
  esac
  case "\${COMP_WORDS[1]}" in
${cases.join("\n")}
  esac
}
complete -F _ecs_converge ${EXECUTABLE}
`;
}

function zshScript(commands: CommandShape[]): string {
  const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
  const describe = (text: string) =>
    text.replaceAll("\\", "\\\\").replaceAll("[", "\\[").replaceAll("]", "\\]");
  const commandLines = commands.map(
    (command) => `    ${quote(`${command.name}:${command.description.replaceAll(":", "\\:")}`)}`,
  );
  const cases = commands.map((command) => {
    const specs = command.options.map((option) => {
      const flags = flagsOf(option);
      const exclusion = flags.length > 1 ? `(${flags.join(" ")})` : "";
      const action = option.takesFile ? ":file:_files" : option.takesValue ? ":value: " : "";
      const names = flags.length > 1 ? `{${flags.join(",")}}` : (flags[0] ?? "");
      return `        ${exclusion ? quote(exclusion) : ""}${names}${quote(`[${describe(option.description)}]${action}`)}`;
    });
    if (command.argumentChoices.length > 0)
      specs.push(`        ${quote(`1:shell:(${command.argumentChoices.join(" ")})`)}`);
    return `    ${command.name})\n      _arguments \\\n${specs.join(" \\\n")}\n      ;;`;
  });
  return `#compdef ${EXECUTABLE}
# ${EXECUTABLE} completion for zsh. Load it in this shell:  source <(${EXECUTABLE} completion zsh)
# or for every shell: ${EXECUTABLE} completion zsh > "\${fpath[1]}/_${EXECUTABLE}"
_ecs-converge() {
  local -a commands
  commands=(
${commandLines.join("\n")}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  local command="$words[2]"
  shift words
  (( CURRENT-- ))
  case "$command" in
${cases.join("\n")}
  esac
}
if [ "$funcstack[1]" = "_ecs-converge" ]; then
  _ecs-converge "$@"
else
  compdef _ecs-converge ${EXECUTABLE}
fi
`;
}

function fishScript(commands: CommandShape[]): string {
  const quote = (text: string) => `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  const lines = [
    `# ${EXECUTABLE} completion for fish: ${EXECUTABLE} completion fish > ~/.config/fish/completions/${EXECUTABLE}.fish`,
    `complete -c ${EXECUTABLE} -f`,
  ];
  for (const command of commands) {
    lines.push(
      `complete -c ${EXECUTABLE} -n __fish_use_subcommand -a ${command.name} -d ${quote(command.description)}`,
    );
  }
  for (const command of commands) {
    const when = `-n ${quote(`__fish_seen_subcommand_from ${command.name}`)}`;
    for (const option of command.options) {
      const flags = [
        option.short ? `-s ${option.short.slice(1)}` : "",
        option.long ? `-l ${option.long.slice(2)}` : "",
      ].filter(Boolean);
      const value = option.takesFile ? " -r -F" : option.takesValue ? " -x" : "";
      lines.push(
        `complete -c ${EXECUTABLE} ${when} ${flags.join(" ")}${value} -d ${quote(option.description)}`,
      );
    }
    if (command.argumentChoices.length > 0)
      lines.push(`complete -c ${EXECUTABLE} ${when} -a ${quote(command.argumentChoices.join(" "))}`);
  }
  return `${lines.join("\n")}\n`;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
