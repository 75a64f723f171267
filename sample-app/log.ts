export type LogLevel = "info" | "warn" | "error";

export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

/** Creates a logger that writes one JSON object per line, which CloudWatch Logs Insights parses without setup. */
export function createJsonLogger(
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  return (level, msg, fields = {}) => {
    write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }, errorsAsObjects)}\n`);
  };
}

// JSON.stringify turns an Error into "{}", which would hide exactly the information a log line is for.
function errorsAsObjects(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}
