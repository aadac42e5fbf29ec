/** Structured logs, one JSON object per line; the request id ties a line to a response. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** One log line, without its newline: what every logger of the project writes. */
export const jsonLine = (level: 'info' | 'error', msg: string, fields?: Record<string, unknown>) =>
  JSON.stringify({ level, msg, ...fields });

export const jsonLogger: Logger = {
  info: (msg, fields) => console.log(jsonLine('info', msg, fields)),
  error: (msg, fields) => console.error(jsonLine('error', msg, fields)),
};

/** For tests: keeps lines in memory so a test can assert on them, prints nothing. */
export class MemoryLogger implements Logger {
  readonly lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  info(msg: string, fields?: Record<string, unknown>) {
    this.lines.push({ level: 'info', msg, fields });
  }
  error(msg: string, fields?: Record<string, unknown>) {
    this.lines.push({ level: 'error', msg, fields });
  }
}
