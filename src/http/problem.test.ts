import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { AppError, renderError } from './problem.js';

/** A bare app with the one error handler, and a route that throws what each case gives it. */
function appThrowing(err: Error) {
  const app = new Hono();
  app.onError(renderError);
  app.get('/', () => {
    throw err;
  });
  return app;
}

const pgError = (code: string) => Object.assign(new Error(`postgres says ${code}`), { code });

describe('renderError', () => {
  it.each(['40P01', '40001'])('a rolled-back transaction (%s) is a 503 to retry, with Retry-After', async (code) => {
    const res = await appThrowing(pgError(code)).request('/');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({ status: 503, code: 'transaction_conflict' });
  });

  it('a wrapped conflict (the driver error as cause) is recognised too', async () => {
    const res = await appThrowing(new Error('transaction failed', { cause: pgError('40P01') })).request('/');
    expect(res.status).toBe(503);
  });

  it('other database errors stay a bare 500 that reveals nothing', async () => {
    const res = await appThrowing(pgError('23514')).request('/');
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body.code).toBe('internal_error');
    expect(JSON.stringify(body)).not.toContain('postgres says');
  });

  it('an AppError keeps its status, code and extension members', async () => {
    const res = await appThrowing(new AppError(409, 'insufficient_funds', 'too low', { holder: 'acc_x' })).request('/');
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 'insufficient_funds', holder: 'acc_x', detail: 'too low' });
  });
});
