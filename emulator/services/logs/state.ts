/** CloudWatch Logs state of one region. */

export interface LogEvent {
  timestamp: number;
  ingestionTime: number;
  message: string;
}

export interface LogStream {
  name: string;
  createdAt: number;
  events: LogEvent[];
}

export interface LogGroup {
  name: string;
  createdAt: number;
  retentionInDays: number | undefined;
  tags: Record<string, string>;
  streams: Map<string, LogStream>;
}

export interface LogsState {
  groups: Map<string, LogGroup>;
}

export function createLogsState(): LogsState {
  return { groups: new Map() };
}
