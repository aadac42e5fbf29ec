// The slice of the Workers runtime modules these tests use. @cloudflare/workers-types is not a
// dependency: its globals clash with the DOM and Node types the rest of the project compiles against.
declare module 'cloudflare:workers' {
  /** The bindings vitest.workers.config.ts gives the Worker (over wrangler.toml). */
  export const env: {
    HYPERDRIVE: { connectionString: string };
    OPERATOR_API_KEY: string;
    S3_ENDPOINT: string;
    S3_BUCKET: string;
    S3_REGION: string;
    S3_ACCESS_KEY_ID: string;
    S3_SECRET_ACCESS_KEY: string;
    STRIPE_SECRET_KEY: string;
    STRIPE_WEBHOOK_SECRET: string;
    /** The stand-in for api.stripe.com that global-setup.ts runs in Node. */
    STRIPE_API_BASE: string;
  };
  /**
   * The Worker's own entrypoints (vitest.workers.config.ts `main`). Each call is a separate
   * invocation with its own ExecutionContext; `scheduled` is forwarded over RPC, so it resolves to
   * the handler's result and rejects when the handler throws.
   */
  export const exports: {
    default: {
      fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
      scheduled(controller: { cron: string; scheduledTime: number }): Promise<void>;
    };
  };
}
