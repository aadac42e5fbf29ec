/**
 * Issue 10 item 2: no secret at rest. A replay (same Idempotency-Key) of a request that issued a
 * secret answers the same object with the secret withheld, and the stored record never held it;
 * records expire and the scheduler sweeps them; webhook signing secrets are kept only sealed, and
 * old plaintext rows and rows sealed under a rotated-out key are (re)sealed by the scheduler.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSealer, generateSealingKey } from '../src/crypto/seal.js';
import { openWebhookSecrets, sealWebhookSecrets } from '../src/features/webhooks/secret-sealing.js';
import { SECRET_WITHHELD } from '../src/http/secret-values.js';
import { runMarketWork } from '../src/scheduled.js';
import { OPERATOR_KEY, type TestApp } from './support/harness.js';
import { startStripeTestApp } from './support/stripe-standin.js';
import { world } from './support/world.js';

let t: TestApp;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ t, close } = await startStripeTestApp({ IDEMPOTENCY_TTL: '1h' }));
});
afterAll(async () => close?.());

const storedBodies = async () =>
  (await t.deps.db.selectFrom('idempotency_keys').select('response_body').execute()).map((r) => r.response_body ?? '');

describe('secrets are never stored', () => {
  it('a replay of each secret-issuing request withholds the secret, and the record never held it', async () => {
    const w = world(t);
    const once = async (path: string, key: string, body: unknown, idem: string, status: number) => {
      const headers = { 'idempotency-key': idem };
      const first = await t.call('POST', path, { key, body, headers });
      expect(first.status, first.text).toBe(status);
      const replay = await t.call('POST', path, { key, body, headers });
      expect(replay.status).toBe(status);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      return { first: first.body, replay: replay.body };
    };

    const platform = await once('/v1/platforms', OPERATOR_KEY, { name: 'Atelier', feeBps: 100 }, 'plt-1', 201);
    expect(platform.first.apiKey.secret).toMatch(/^hpk_/);
    expect(platform.replay).toEqual({ ...platform.first, apiKey: { ...platform.first.apiKey, secret: SECRET_WITHHELD } });
    const pKey = platform.first.apiKey.secret as string;

    const official = await once('/v1/officials', OPERATOR_KEY, { name: 'Wang', office: 'Shanghai IP Office' }, 'off-1', 201);
    expect(official.replay.apiKey.secret).toBe(SECRET_WITHHELD);

    const acc = await w.account({ key: pKey });
    const apiKey = await once('/v1/api-keys', pKey, { subjectId: acc }, 'key-1', 201);
    expect(apiKey.first.secret).toMatch(/^hpk_/);
    expect(apiKey.replay).toEqual({ ...apiKey.first, secret: SECRET_WITHHELD });
    // The withheld marker is no key; the real one works.
    expect((await t.call('GET', `/v1/accounts/${acc}`, { key: apiKey.first.secret })).status).toBe(200);

    const endpoint = await once(
      '/v1/webhook-endpoints',
      pKey,
      { url: 'https://hooks.example.com/haipai', eventTypes: ['*'] },
      'whe-1',
      201,
    );
    expect(endpoint.first.secret).toMatch(/^whsec_/);
    expect(endpoint.replay).toEqual({ ...endpoint.first, secret: SECRET_WITHHELD });
    const rotated = await once(`/v1/webhook-endpoints/${endpoint.first.id}/rotate-secret`, pKey, {}, 'rot-1', 200);
    expect(rotated.first.secret).toMatch(/^whsec_/);
    expect(rotated.replay.secret).toBe(SECRET_WITHHELD);

    const topUp = await once('/v1/balances/stripe-top-ups', pKey, { holderId: acc, currency: 'CNY', amount: 5000 }, 'stp-1', 201);
    expect(topUp.first.clientSecret).toMatch(/_secret_/);
    expect(topUp.replay).toEqual({ ...topUp.first, clientSecret: SECRET_WITHHELD });

    const secrets = [
      platform.first.apiKey.secret,
      official.first.apiKey.secret,
      apiKey.first.secret,
      endpoint.first.secret,
      rotated.first.secret,
      topUp.first.clientSecret,
    ];
    const bodies = (await storedBodies()).join('\n');
    for (const s of secrets) expect(bodies).not.toContain(s);
    const secretRows = await t.deps.db.selectFrom('webhook_secrets').selectAll().execute();
    expect(secretRows.length).toBeGreaterThanOrEqual(2);
    for (const row of secretRows) {
      expect(row.secret).toBeNull();
      expect(row.sealed).toMatch(/^v1\./);
      for (const s of secrets) expect(row.sealed).not.toContain(s.slice(6));
    }
    // What the deliveries sign with opens again to the secrets the platform was shown.
    const opened = await openWebhookSecrets(t.deps.config, secretRows);
    expect(opened.sort()).toEqual([endpoint.first.secret, rotated.first.secret].sort());
  });

  it('records expire after IDEMPOTENCY_TTL: the scheduler sweeps them and the key runs anew', async () => {
    const w = world(t);
    const p = await w.platform();
    const acc = await w.account(p);
    const topUp = () =>
      t.call('POST', '/v1/balances/top-ups', {
        key: OPERATOR_KEY,
        body: { holderId: acc, currency: 'CNY', amount: 10 },
        headers: { 'idempotency-key': 'ttl-1' },
      });
    const first = await topUp();
    expect(first.status).toBe(201);
    expect((await topUp()).body.id).toBe(first.body.id);
    const count = async () =>
      Number(
        (
          await t.deps.db
            .selectFrom('idempotency_keys')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('key', '=', 'ttl-1')
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count()).toBe(1);

    t.clock.advance(3601);
    // Expired but not yet swept: already as good as gone.
    const later = await topUp();
    expect(later.status).toBe(201);
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    expect(later.body.id).not.toBe(first.body.id);

    t.clock.advance(3601);
    await runMarketWork(t.deps);
    expect(await count()).toBe(0);
    const balance = (await t.call('GET', `/v1/balances/${acc}`, { key: p.key })).body.balances;
    expect(balance).toEqual([{ currency: 'CNY', amount: 20, owed: 0 }]);
  });

  it('the scheduler seals plaintext secrets left from before, and re-seals them after a key rotation', async () => {
    const w = world(t);
    const p = await w.platform();
    const made = await t.call('POST', '/v1/webhook-endpoints', {
      key: p.key,
      body: { url: 'https://hooks.example.com/legacy', eventTypes: ['*'] },
    });
    expect(made.status).toBe(201);
    const endpointId = made.body.id as string;
    // A row as written before secrets were sealed.
    const legacy = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwAAAAAAAAAAA=';
    await t.deps.db
      .insertInto('webhook_secrets')
      .values({ endpoint_id: endpointId, secret: legacy, sealed: null, created_at: t.clock.now(), expires_at: t.clock.now() })
      .execute();

    expect(await sealWebhookSecrets(t.deps)).toBe(1);
    const rows = () =>
      t.deps.db.selectFrom('webhook_secrets').selectAll().where('endpoint_id', '=', endpointId).orderBy('id').execute();
    const sealedOnce = await rows();
    expect(sealedOnce.every((r) => r.secret === null)).toBe(true);
    expect((await openWebhookSecrets(t.deps.config, sealedOnce))[1]).toBe(legacy);
    expect(await sealWebhookSecrets(t.deps)).toBe(0); // nothing left to do

    // Rotation: a new key, the old one kept to open; every secret is re-sealed under the new one.
    const oldKey = t.deps.config.WEBHOOK_SECRETS_KEY!;
    const newKey = generateSealingKey();
    const rotated = { ...t.deps.config, WEBHOOK_SECRETS_KEY: newKey, WEBHOOK_SECRETS_PREVIOUS_KEYS: oldKey };
    const all = await t.deps.db.selectFrom('webhook_secrets').select('id').execute();
    expect(await sealWebhookSecrets({ db: t.deps.db, config: rotated })).toBe(all.length);
    const newId = (await createSealer(newKey)).currentKeyId;
    const resealed = await rows();
    expect(resealed.every((r) => r.sealed!.startsWith(`v1.${newId}.`))).toBe(true);
    // Opened with the new key alone: the old one may now go.
    const withoutOld = { ...t.deps.config, WEBHOOK_SECRETS_KEY: newKey };
    expect(await openWebhookSecrets(withoutOld, resealed)).toEqual(await openWebhookSecrets(t.deps.config, sealedOnce));
    // A sealed value is bound to its endpoint: copied to another row it does not open.
    const sealer = await createSealer(newKey);
    await expect(sealer.open(resealed[0]!.sealed!, 'webhook_secrets:whe_other')).rejects.toThrow();
  });
});
