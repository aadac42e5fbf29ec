import { type CosignDeps, collectCosignatures } from './cosign.service.js';
import { type IntegrateDeps, integrateLog } from './integrate.js';

export interface IntegrationLoop {
  /** Ask for a run soon; never throws, never waits. Runs never overlap within this process. */
  kick(): void;
  /** Resolves when no run is in progress or asked for (tests, shutdown). */
  idle(): Promise<void>;
}

/**
 * Node's "integrate soon": after each write, and on the scheduled interval, the process runs the
 * integrator once more. Kicks during a run coalesce into one more run, so a burst of writes
 * costs a couple of integrations, and an event committed during a run is picked up by the next.
 * Other processes are kept in step by the integrator's advisory lock, not by this loop. A run that
 * signed a checkpoint then asks the configured witnesses to cosign it.
 */
export function integrationLoop(deps: IntegrateDeps & Partial<CosignDeps>): IntegrationLoop {
  let running: Promise<void> | null = null;
  let again = false;
  const run = async () => {
    do {
      again = false;
      try {
        const { checkpoints } = await integrateLog(deps);
        // After the commit: witnesses are asked outside any transaction (C2SP tlog-witness).
        if (checkpoints > 0 && deps.config) await collectCosignatures({ ...deps, config: deps.config });
      } catch (err) {
        deps.log.error('log integration failed', { error: (err as Error).message });
      }
    } while (again);
    running = null;
  };
  return {
    kick() {
      if (running) again = true;
      else running = run();
    },
    async idle() {
      while (running) await running;
    },
  };
}
