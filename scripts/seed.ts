/**
 * `npm run seed`: fills a running instance with demo data through its own public API, the way a
 * platform and an official would. Needs BASE_URL (default http://127.0.0.1:8787) and
 * OPERATOR_API_KEY; the server should run with NOTICE_PERIOD=0 so works register at once.
 */
import { createHash } from 'node:crypto';

const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8787';
const OPERATOR_KEY = process.env.OPERATOR_API_KEY;
if (!OPERATOR_KEY) {
  console.error('Set OPERATOR_API_KEY to the operator key the server was started with.');
  process.exit(2);
}

// biome-ignore lint/suspicious/noExplicitAny: demo script reads response fields as it goes
async function call<T = any>(key: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

const { platform, apiKey } = await call(OPERATOR_KEY, 'POST', '/v1/platforms', { name: 'Bund Digital Fashion', feeBps: 250 });
const P = apiKey.secret as string;
const { official, apiKey: officialKey } = await call(OPERATOR_KEY, 'POST', '/v1/officials', {
  name: 'Reviewer Chen',
  office: 'Shanghai Intellectual Property Administration',
});
const O = officialKey.secret as string;

async function person(displayName: string) {
  const acc = await call(P, 'POST', '/v1/accounts', { kind: 'person', displayName });
  await call(P, 'POST', `/v1/accounts/${acc.id}/attestations`, {
    kycLevel: 'verified',
    isAdult: true,
    method: 'id_card_face_match',
  });
  return acc.id as string;
}
const designer = await person('Lin Yue (designer)');
const modeler = await person('Zhou Hang (3D modeler)');
const collector = await person('Wu Qing (collector)');
const friend = await person('Gao Mei (collector)');

// A preview image, uploaded through a presigned URL and verified by the server.
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);
const upload = await call(P, 'POST', '/v1/uploads', {
  accountId: designer,
  mediaType: 'image/png',
  size: png.length,
  sha256: createHash('sha256').update(png).digest('hex'),
  filename: 'qipao-preview.png',
});
const put = await fetch(upload.uploadUrl, { method: 'PUT', headers: upload.headers, body: png });
if (!put.ok) throw new Error(`PUT to the presigned URL failed: ${put.status}`);
await call(P, 'POST', `/v1/uploads/${upload.id}/complete`);

const licence = { commercialUse: 'personal', derivativesAllowed: true, attributionRequired: true, derivativeRoyaltyBps: 1500 };

async function register(work: Record<string, unknown>) {
  const asset = await call(P, 'POST', '/v1/assets', {
    claimedCreatedOn: '2026-05-20',
    originalityStatement: 'Original work created by the listed creators.',
    licence,
    ...work,
  });
  await call(P, 'POST', `/v1/assets/${asset.id}/submit`);
  await call(O, 'POST', `/v1/assets/${asset.id}/review`, { action: 'start' });
  const approved = await call(O, 'POST', `/v1/assets/${asset.id}/review`, { action: 'approve' });
  if (approved.status !== 'registered') {
    throw new Error(`${asset.id} is ${approved.status}: start the server with NOTICE_PERIOD=0 to seed registered works.`);
  }
  console.log(`registered ${approved.registrationNumber}  ${approved.kind.padEnd(13)} ${approved.title}`);
  return approved;
}

const qipao = await register({
  kind: 'garment',
  title: 'Qipao of Light',
  category: 'digital_creative',
  rightsHolderId: designer,
  creators: [
    { accountId: designer, role: 'designer', shareBps: 7000 },
    { accountId: modeler, role: 'modeler', shareBps: 3000 },
  ],
  files: [{ uploadId: upload.id, purpose: 'preview' }],
});
const avatar = await register({
  kind: 'virtual_human',
  title: 'Haihai, the Bund guide',
  category: 'brand_marketing',
  rightsHolderId: designer,
  creators: [{ accountId: designer, role: 'designer', shareBps: 10000 }],
  licence: {
    ...licence,
    avatar: { performers: 'only_separately_licensed', violentUse: false, sexualUse: false, politicalOrReligiousUse: false },
  },
});
await register({
  kind: 'collectible',
  title: 'Shikumen Gate No. 7',
  category: 'cultural_heritage_derivative',
  rightsHolderId: modeler,
  creators: [{ accountId: modeler, role: 'modeler', shareBps: 10000 }],
});
const remix = await register({
  kind: 'garment',
  title: 'Qipao of Light — night remix',
  category: 'digital_creative',
  rightsHolderId: modeler,
  creators: [{ accountId: modeler, role: 'modeler', shareBps: 10000 }],
  parents: [qipao.id],
});

const open = await call(P, 'POST', `/v1/assets/${qipao.id}/editions`, { size: 100, preset: 'open_market' });
const mainland = await call(P, 'POST', `/v1/assets/${avatar.id}/editions`, { size: 10, preset: 'mainland_collectible' });
await call(P, 'POST', `/v1/assets/${remix.id}/editions`, { size: 20, preset: 'open_market' });
const minted = await call(P, 'POST', `/v1/editions/${open.id}/mint`, { count: 5, toAccountId: designer });
await call(P, 'POST', `/v1/editions/${mainland.id}/mint`, { count: 3 });
const [first, second] = minted.units;
await call(P, 'POST', `/v1/units/${first.id}/transfers`, { fromAccountId: designer, toAccountId: collector });
await call(P, 'POST', `/v1/units/${first.id}/transfers`, { fromAccountId: collector, toAccountId: friend });
await call(P, 'POST', `/v1/units/${second.id}/transfers`, { fromAccountId: designer, toAccountId: collector });

console.log(`
platform  ${platform.id}  key ${P}
official  ${official.id}  key ${O}
unit ${first.label} of "${qipao.title}": ${first.id}, gifted twice; see ${BASE_URL}/v1/units/${first.id}/history`);
