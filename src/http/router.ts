import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './env.js';
import { problemResponse } from './problem.js';

/**
 * Every feature router is made here so that validation failures look the same everywhere:
 * a 400 problem `validation_failed` listing each invalid field.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      const where = result.target === 'json' ? 'body' : result.target;
      return problemResponse(c, 400, 'validation_failed', `The request ${where} is invalid.`, { issues });
    },
  });
}
