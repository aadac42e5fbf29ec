/**
 * One way for a Node process (`npm start`, `npm run media`) to stop: the first SIGTERM or SIGINT
 * runs `stop` — which drains requests and background work, then closes the database and the
 * object store — and exits 0. A second signal, or `stop` still running after `deadlineSeconds`
 * (SHUTDOWN_TIMEOUT), exits at once with status 1: whatever was left mid-way is picked up by the
 * next start (README, "Operations").
 */
export function exitOnStopSignals(opts: { deadlineSeconds: number; stop: () => Promise<void> }): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`${signal} again: exiting now without waiting`);
      process.exit(1);
    }
    stopping = true;
    console.log(
      `${signal}: shutting down; waiting up to ${opts.deadlineSeconds} s (SHUTDOWN_TIMEOUT) for work under way, a second signal exits at once`,
    );
    setTimeout(() => {
      console.error(`shutdown did not finish within ${opts.deadlineSeconds} s (SHUTDOWN_TIMEOUT): exiting now`);
      process.exit(1);
    }, opts.deadlineSeconds * 1000);
    opts.stop().then(
      () => {
        console.log('shut down cleanly');
        process.exit(0);
      },
      (err) => {
        console.error(`shutdown failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
