import { type ChildProcess, spawn } from 'node:child_process';
import type { CallResult, TestApp } from './harness.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** The real Node entry (`src/node.ts`) running as a child process, for tests that kill it. */
export interface ServerProcess {
  baseUrl: string;
  /** Sends the signal and resolves once the process has exited. */
  stop(signal: NodeJS.Signals): Promise<void>;
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
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /haipai listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (match) resolve({ baseUrl: match[1]!, stop });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
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
