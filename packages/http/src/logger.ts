/** Structured fields of a log line; never bodies, tokens or secrets. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** A JSON-lines logger whose every line carries the request's ids. */
export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** A logger that writes one JSON object per line, the shape Workers Logs and `wrangler tail` index. */
export function createLogger(base: LogFields): Logger {
  const write = (level: 'info' | 'warn' | 'error', msg: string, fields?: LogFields) => {
    const line = JSON.stringify({ level, msg, time: new Date().toISOString(), ...base, ...fields });
    if (level === 'error') console.error(line);
    else if (level === 'warn') console.warn(line);
    else console.log(line);
  };
  return {
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}
