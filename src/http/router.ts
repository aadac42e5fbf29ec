import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from './env.js';
import { problemResponse } from './problem.js';

/**
 * Every feature router is made here so that validation failures look the same everywhere:
 * a 400 problem `validation_failed` listing each invalid field.
 *
 * Authentication comes first: a request without a key to a route that needs one (its contract
 * does not declare anonymous access, `security: [{}]`) answers 401 even when its input is also
 * invalid, so an anonymous caller learns nothing about a route's input rules.
 */
export function createRouter() {
  const router: OpenAPIHono<AppEnv> = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      if (!c.get('principal') && routeNeedsKey(router, c)) {
        return problemResponse(c, 401, 'unauthenticated', 'This endpoint needs an API key.');
      }
      const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      const where = result.target === 'json' ? 'body' : result.target;
      return problemResponse(c, 400, 'validation_failed', `The request ${where} is invalid.`, { issues });
    },
  });
  return router;
}

/** Whether the route contract of this request (in `router`'s registry) needs a key. */
function routeNeedsKey(router: OpenAPIHono<AppEnv>, c: Context<AppEnv>): boolean {
  const method = c.req.method.toLowerCase();
  const path = c.req.routePath;
  for (const def of router.openAPIRegistry.definitions) {
    if (def.type !== 'route' || def.route.method !== method) continue;
    if (def.route.path.replace(/\{([^}]+)\}/g, ':$1') !== path) continue;
    const security = def.route.security;
    // No security of its own: the document's (an API key). An empty requirement allows anonymous calls.
    return !security || !security.some((s) => Object.keys(s).length === 0);
  }
  return false;
}
