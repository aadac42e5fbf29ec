import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { batchedStdoutLogger } from '../src/ports/node-logger.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("the Node server's log", () => {
  it('writes the info lines of one turn of the event loop in one write, in order, by the next turn', async () => {
    const writes: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    const log = batchedStdoutLogger();
    for (let i = 0; i < 50; i++) log.info('request', { n: i });
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toHaveLength(1);
    const lines = writes[0]!
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual(Array.from({ length: 50 }, (_, n) => ({ level: 'info', msg: 'request', n })));

    log.info('later', { n: 50 });
    await nextTurn();
    expect(writes).toHaveLength(2);
    expect(JSON.parse(writes[1]!)).toEqual({ level: 'info', msg: 'later', n: 50 });
    await nextTurn();
    expect(writes).toHaveLength(2);
  });

  it('writes what it holds when the process exits in the same turn', () => {
    const script = [
      "import { batchedStdoutLogger } from './src/ports/node-logger.ts';",
      'const log = batchedStdoutLogger();',
      "for (let n = 0; n < 3; n++) log.info('request', { n });",
      'process.exit(0);',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(
      out
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).n),
    ).toEqual([0, 1, 2]);
  });

  it('does not hold errors back', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    batchedStdoutLogger().error('not signing the log', { error: 'gone' });
    expect(errors).toHaveBeenCalledWith(JSON.stringify({ level: 'error', msg: 'not signing the log', error: 'gone' }));
  });
});
