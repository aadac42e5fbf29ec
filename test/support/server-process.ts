import { type ChildProcess, spawn } from 'node:child_process';
import type { CallResult, TestApp } from './harness.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** The real Node entry (`src/node.ts`) running as a child process, for tests that kill it. */
export interface ServerProcess {
  baseUrl: string;
  /** Sends the signal and resolves once the process has exited. */
  stop(signal: NodeJS.Signals): Promise<void>;
  /** Sends the signal and returns at once. */
  signal(signal: NodeJS.Signals): void;
  /** How the process ended: its exit code (null when a signal ended it) and that signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves once its output matches `pattern` (rejects if it exits first). */
  waitForOutput(pattern: RegExp): Promise<void>;
}

/** Runs the Node entry to its end (a refusal to start) and returns its exit code and output. */
export function runServerToExit(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/node.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => proc.on('close', (code) => resolve({ code, output })));
}

/** Starts the server with `env` and resolves once it listens (its log line names the address). */
export function spawnServer(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/node.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = async (signal: NodeJS.Signals) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill(signal);
    await exited;
  };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let out = '';
  const watchers = new Set<() => void>();
  const waitForOutput = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(out)) return;
        watchers.delete(check);
        resolve();
      };
      watchers.add(check);
      check();
      void exited.then(() => {
        if (watchers.delete(check)) reject(new Error(`server exited before printing ${pattern}:\n${out}`));
      });
    });
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const check of [...watchers]) check();
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  return waitForOutput(/haipai listening on (http:\/\/[\d.]+:\d+)/).then(() => ({
    baseUrl: /haipai listening on (http:\/\/[\d.]+:\d+)/.exec(out)![1]!,
    stop,
    signal: (signal: NodeJS.Signals) => void proc.kill(signal),
    exited,
    output: () => out,
    waitForOutput,
  }));
}

/** `TestApp['call']` over real HTTP, so the API builders can drive a spawned server. */
export function httpCall(base: string): TestApp['call'] {
  return async (method, path, opts = {}): Promise<CallResult> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.key) headers.authorization = `Bearer ${opts.key}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? opts.rawBody : JSON.stringify(opts.body),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    return { status: res.status, body, headers: res.headers, text };
  };
}
