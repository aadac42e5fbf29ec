import { writeSync } from 'node:fs';
import { jsonLine, jsonLogger, type Logger } from './logger.js';

/**
 * The Node server's log: the same JSON lines as `jsonLogger`, but info lines are gathered and
 * written to stdout once per turn of the event loop. Node writes to a pipe or a file
 * synchronously, one system call per `console.log`, and under load every request's line was such a
 * call (waking whoever reads the pipe) on the thread that serves requests; now the lines of all
 * requests answered in one turn go out in one write.
 *
 * Nothing is held longer than that turn, and lines left when the process exits (a signal's clean
 * stop, `process.exit`, an uncaught error) are written synchronously on its way out; only a process
 * killed outright (SIGKILL) loses the lines of its last turn. Errors are not held: they go to
 * stderr at once, as `jsonLogger` writes them.
 */
export function batchedStdoutLogger(): Logger {
  let pending = '';
  const flush = () => {
    const chunk = pending;
    pending = '';
    if (chunk) process.stdout.write(chunk);
  };
  process.on('exit', () => {
    const chunk = pending;
    pending = '';
    try {
      if (chunk) writeSync(process.stdout.fd, chunk);
    } catch {
      // stdout closed or full at exit: the lines are lost, but the exit status stays the process's own.
    }
  });
  return {
    info(msg, fields) {
      if (!pending) setImmediate(flush);
      pending += `${jsonLine('info', msg, fields)}\n`;
    },
    error: jsonLogger.error,
  };
}
