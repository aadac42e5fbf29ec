/**
 * The request examples on /docs: the main flows, as shell commands a platform developer can paste.
 * Bodies match the OpenAPI schemas (test/web-docs.test.ts sends each one through the app).
 */
export interface Flow {
  id: string;
  title: { 'zh-CN': string; en: string };
  steps: { method: string; path: string; key?: 'operator' | 'platform' | 'official'; body?: unknown }[];
}

export const FLOWS: Flow[] = [
  {
    id: 'onboard',
    title: { 'zh-CN': '1. 开通平台与账户', en: '1. Onboard a platform and its accounts' },
    steps: [
      { method: 'POST', path: '/v1/platforms', key: 'operator', body: { name: 'Bund Digital Fashion', feeBps: 250 } },
      { method: 'POST', path: '/v1/officials', key: 'operator', body: { name: 'Reviewer Chen', office: 'Shanghai IP Office' } },
      {
        method: 'POST',
        path: '/v1/accounts',
        key: 'platform',
        body: { kind: 'person', displayName: 'Lin Yue', externalRef: 'user-1001' },
      },
      {
        method: 'POST',
        path: '/v1/accounts/$ACCOUNT/attestations',
        key: 'platform',
        body: { kycLevel: 'verified', isAdult: true, method: 'id_card_face_match' },
      },
    ],
  },
  {
    id: 'register',
    title: { 'zh-CN': '2. 登记作品：提交、审查、公示', en: '2. Register a work: submit, review, public notice' },
    steps: [
      {
        method: 'POST',
        path: '/v1/assets',
        key: 'platform',
        body: {
          kind: 'garment',
          title: 'Qipao of Light',
          category: 'digital_creative',
          rightsHolderId: '$ACCOUNT',
          creators: [{ accountId: '$ACCOUNT', role: 'designer', shareBps: 10000 }],
          claimedCreatedOn: '2026-05-20',
          originalityStatement: 'Drawn and modelled by Lin Yue.',
          licence: { commercialUse: 'personal', derivativesAllowed: true, derivativeRoyaltyBps: 1500 },
        },
      },
      { method: 'POST', path: '/v1/assets/$ASSET/submit', key: 'platform' },
      { method: 'POST', path: '/v1/assets/$ASSET/review', key: 'official', body: { action: 'start' } },
      { method: 'POST', path: '/v1/assets/$ASSET/review', key: 'official', body: { action: 'approve' } },
      { method: 'GET', path: '/v1/assets/$ASSET/certificate' },
    ],
  },
  {
    id: 'trade',
    title: { 'zh-CN': '3. 发行、挂牌与购买', en: '3. Issue an edition, list and buy' },
    steps: [
      {
        method: 'POST',
        path: '/v1/assets/$ASSET/editions',
        key: 'platform',
        body: { size: 100, preset: 'open_market', royaltyBps: 500 },
      },
      { method: 'POST', path: '/v1/editions/$EDITION/mint', key: 'platform', body: { count: 2 } },
      {
        method: 'POST',
        path: '/v1/listings',
        key: 'platform',
        body: { kind: 'fixed', sellerId: '$ACCOUNT', unitId: '$UNIT', currency: 'CNY', price: 12800 },
      },
      { method: 'POST', path: '/v1/listings/$LISTING/purchase', key: 'platform', body: { buyerId: '$BUYER' } },
      { method: 'GET', path: '/v1/board/listings?sort=price_asc&category=digital_creative' },
    ],
  },
  {
    id: 'verify',
    title: { 'zh-CN': '4. 验证透明日志', en: '4. Verify the transparency log' },
    steps: [
      { method: 'GET', path: '/log/checkpoint' },
      { method: 'GET', path: '/log/vkey' },
      { method: 'GET', path: '/v1/units/$UNIT/history' },
      { method: 'GET', path: '/v1/log/entries/$INDEX/tlog-proof' },
    ],
  },
];

const KEY_VARS = { operator: '$OPERATOR_KEY', platform: '$PLATFORM_KEY', official: '$OFFICIAL_KEY' } as const;

/** One step as a curl command against $HAIPAI. */
export function curlOf(step: Flow['steps'][number]): string {
  const parts = [`curl -sS -X ${step.method} "$HAIPAI${step.path}"`];
  if (step.key) parts.push(`-H "authorization: Bearer ${KEY_VARS[step.key]}"`);
  if (step.body !== undefined) {
    // Double quotes so the shell fills in $ACCOUNT and friends.
    const json = JSON.stringify(step.body).replace(/"/g, '\\"');
    parts.push(`-H 'content-type: application/json' -d "${json}"`);
  }
  return parts.join(' \\\n  ');
}
