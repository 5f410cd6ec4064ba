import type { DestinationStream } from "pino";

export interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  err?: { type: string; message: string; stack: string };
  [key: string]: unknown;
}

// A pino destination that keeps every line, raw and parsed.
export class LogCapture implements DestinationStream {
  readonly raw: string[] = [];
  readonly lines: LogLine[] = [];

  write(line: string): void {
    this.raw.push(line);
    this.lines.push(JSON.parse(line) as LogLine);
  }
}
