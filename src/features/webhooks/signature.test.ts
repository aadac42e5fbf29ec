import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { retryDelaySeconds } from './delivery.js';
import { generateSecret, signWebhook } from './signature.js';

describe('Standard Webhooks signatures', () => {
  it('match the reference library, signature for signature', async () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const at = new Date('2026-05-01T12:00:00.999Z');
    const body = '{"type":"unit.gifted","timestamp":"2026-05-01T11:59:59.000Z","data":{"id":"evt_1","note":"海派"}}';
    const headers = await signWebhook([secret], 'evt_01JABCDEFGHJKMNPQRSTVWXYZ1', at, body);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(headers['webhook-signature']).toBe(new Webhook(secret).sign('evt_01JABCDEFGHJKMNPQRSTVWXYZ1', at, body));
  });

  it('the spec example secret gives the spec example signature', async () => {
    // Standard Webhooks' own test vector (libraries/javascript/src/index.test.ts).
    const headers = await signWebhook(
      ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      new Date(1614265330 * 1000),
      '{"test": 2432232314}',
    );
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs with every secret given, space-delimited, so either verifies', async () => {
    const [a, b] = [generateSecret(), generateSecret()];
    const at = new Date();
    const headers = await signWebhook([b, a], 'evt_x', at, '{}');
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(a).verify('{}', { ...headers })).toEqual({});
    expect(new Webhook(b).verify('{}', { ...headers })).toEqual({});
    expect(() => new Webhook(generateSecret()).verify('{}', { ...headers })).toThrow(/No matching signature/);
    expect(() => new Webhook(a).verify('{ }', { ...headers })).toThrow(/No matching signature/);
  });
});

describe('retry backoff', () => {
  const now = new Date('2026-05-01T12:00:00Z');
  it('doubles from 10 s up to an hour, with up to 25 % jitter below', () => {
    expect(retryDelaySeconds(1, null, now, () => 0)).toBe(10);
    expect(retryDelaySeconds(2, null, now, () => 0)).toBe(20);
    expect(retryDelaySeconds(5, null, now, () => 0)).toBe(160);
    expect(retryDelaySeconds(12, null, now, () => 0)).toBe(3600);
    expect(retryDelaySeconds(500, null, now, () => 0)).toBe(3600);
    expect(retryDelaySeconds(1, null, now, () => 0.999)).toBeCloseTo(7.5, 1);
  });

  it('waits at least as long as Retry-After asks, up to an hour', () => {
    expect(retryDelaySeconds(1, '120', now, () => 0)).toBe(120);
    expect(retryDelaySeconds(1, '99999', now, () => 0)).toBe(3600);
    expect(retryDelaySeconds(1, 'Fri, 01 May 2026 12:05:00 GMT', now, () => 0)).toBe(300);
    expect(retryDelaySeconds(3, 'soon', now, () => 0)).toBe(40);
  });
});
