import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAuctionIfDue } from '../src/features/auctions/closing.service.js';
import { caseSubjects } from '../src/features/cases/case-subjects.js';
import { applyDueDeterminations } from '../src/features/cases/determination.service.js';
import { integrateLog } from '../src/features/tlog/integrate.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { marketWorld } from './support/market.js';

// IP casework: complaints, cases through every state, interim measures, determinations and the
// public record, with every refusal. With DATABASE_URL on real PostgreSQL.
let t: TestApp;
let m: ReturnType<typeof marketWorld>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0', COMPLAINTS_PER_ACCOUNT_PER_DAY: '3', CASE_APPEAL_DAYS: '15' });
  m = marketWorld(t);
});
afterAll(async () => t?.close());

const DAY = 86400;
const sha256 = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');
type Key = { key: string };

async function upload(key: string, accountId: string, bytes: Uint8Array, mediaType = 'application/pdf') {
  const created = m.ok(
    await t.call('POST', '/v1/uploads', { key, body: { accountId, mediaType, size: bytes.length, sha256: sha256(bytes) } }),
    201,
  );
  const put = await fetch(created.uploadUrl, { method: 'PUT', headers: created.headers, body: bytes as BodyInit });
  expect(put.status).toBe(200);
  m.ok(await t.call('POST', `/v1/uploads/${created.id}/complete`, { key }), 200);
  return created.id as string;
}

/** A registered copy (rights holder `copier` on platform p, with an edition) and the complainant's earlier work on p2. */
async function dispute() {
  const w = await m.work({ royaltyBps: 1000 });
  const p2 = await m.platform('Originals');
  const holder = await m.account(p2);
  const earlier = await m.registeredAsset(p2, w.off, holder, { title: 'Original Qipao', claimedCreatedOn: '2025-11-01' });
  return { ...w, copier: w.creator, p2, holder, earlier };
}
type Dispute = Awaited<ReturnType<typeof dispute>>;

const complain = (d: Dispute, over: Record<string, unknown> = {}, key = d.p2.key) =>
  t.call('POST', '/v1/complaints', {
    key,
    body: {
      assetId: d.asset.id,
      complainantId: d.holder,
      earlierAssetId: d.earlier.id,
      statement: 'Secret statement: my qipao, copied line for line.',
      claimedCreatedOn: '2025-11-01',
      copiedElements: ['silhouette', 'cloud print'],
      ...over,
    },
  });
const open = (off: Key, body: Record<string, unknown>) => t.call('POST', '/v1/cases', { key: off.key, body });
const step = (key: Key, caseId: string, path: string, body: Record<string, unknown>) =>
  t.call('POST', `/v1/cases/${caseId}/${path}`, { key: key.key, body });
const getCase = async (caseId: string, key: Key) => m.ok(await t.call('GET', `/v1/cases/${caseId}`, { key: key.key }), 200);
const events = async (assetId: string) =>
  (await t.deps.db.selectFrom('events').select(['type', 'entry']).where('asset_id', '=', assetId).orderBy('seq').execute()).map(
    (e) => ({
      ...JSON.parse(e.entry),
      type: e.type,
    }),
  );

/** A new primary listing of the work and a gift of one of its units are both refused with `code`. */
async function expectTradingRefused(d: Dispute, unitId: string, toAccountId: string, code: string) {
  m.problem(
    await t.call('POST', '/v1/listings', {
      key: d.p.key,
      body: { kind: 'fixed', sellerId: d.copier, editionId: d.edition.id, quantity: 1, price: 100, currency: 'CNY' },
    }),
    409,
    code,
  );
  m.problem(
    await t.call('POST', `/v1/units/${unitId}/transfers`, {
      key: d.p.key,
      body: { fromAccountId: d.copier, toAccountId },
    }),
    409,
    code,
  );
}

/** A dispute with a complaint and a case opened on it. */
async function openedCase() {
  const d = await dispute();
  const complaint = m.ok(await complain(d), 201);
  const opened = m.ok(await open(d.off, { assetId: d.asset.id, complaintIds: [complaint.id], note: 'Clear similarity' }), 201);
  return { ...d, complaint, caseId: opened.id as string };
}

describe('complaints', () => {
  it('a rights holder complains through its platform: screening attached, evidence and texts by SHA-256 in the log', async () => {
    const d = await dispute();
    const pdf = new TextEncoder().encode('%PDF-1.4 sketchbook scan, dated 2025-10-20');
    const evidence = await upload(d.p2.key, d.holder, pdf);
    const complaint = m.ok(await complain(d, { evidenceUploadIds: [evidence] }), 201);
    expect(complaint).toMatchObject({
      assetId: d.asset.id,
      complainantId: d.holder,
      earlierAssetId: d.earlier.id,
      status: 'filed',
      caseId: null,
      claimedCreatedOn: '2025-11-01',
      copiedElements: ['silhouette', 'cloud print'],
      evidence: [{ uploadId: evidence, sha256: sha256(pdf) }],
    });
    // Neither work has image files: the screening is attached and says there is nothing to compare.
    expect(complaint.screening).toMatchObject({ earlierAssetId: d.earlier.id, matches: [], closestDistance: null });
    const [filed] = (await events(d.asset.id)).filter((e) => e.type === 'complaint.filed');
    expect(filed).toMatchObject({
      complaintId: complaint.id,
      complainantId: d.holder,
      statementSha256: sha256('Secret statement: my qipao, copied line for line.'),
      copiedElementsSha256: [sha256('silhouette'), sha256('cloud print')],
      evidenceSha256: [sha256(pdf)],
    });
    expect(JSON.stringify(filed)).not.toContain('Secret statement');
    // The complainant's platform and officials read it; the respondent's platform does not.
    m.ok(await t.call('GET', `/v1/complaints/${complaint.id}`, { key: d.p2.key }), 200);
    m.ok(await t.call('GET', `/v1/complaints/${complaint.id}`, { key: d.off.key }), 200);
    m.problem(await t.call('GET', `/v1/complaints/${complaint.id}`, { key: d.p.key }), 404, 'not_found');
    const queue = m.ok(await t.call('GET', '/v1/complaints?limit=100', { key: d.off.key }), 200);
    expect(queue.data.map((c: { id: string }) => c.id)).toContain(complaint.id);
  });

  it('refusals: duplicate, own work, wrong role, no evidence, foreign evidence, unregistered work; nothing written', async () => {
    const d = await dispute();
    m.ok(await complain(d), 201);
    m.problem(await complain(d), 409, 'complaint_exists');
    m.problem(await complain(d, { complainantId: d.copier }, d.p.key), 422, 'own_work');
    m.problem(await complain(d, {}, d.off.key), 403, 'wrong_role');
    m.problem(await complain(d, {}, d.p.key), 404, 'not_found'); // p does not act for the holder
    const other = await dispute();
    m.problem(await complain(other, { earlierAssetId: undefined }), 422, 'evidence_required');
    const foreign = await upload(other.p.key, other.copier, new TextEncoder().encode('%PDF not yours'));
    m.problem(await complain(other, { evidenceUploadIds: [foreign] }), 422, 'invalid_evidence');
    m.problem(await complain(other, { statement: '  ' }), 400, 'validation_failed');
    const draft = m.ok(await t.call('POST', '/v1/assets', { key: other.p2.key, body: m.assetBody(other.holder) }), 201);
    const draftComplaint = await complain({ ...other, asset: draft }, { earlierAssetId: other.earlier.id });
    m.problem(draftComplaint, 409, 'work_not_registered');
    const filed = await t.deps.db
      .selectFrom('complaints')
      .select('complainant_id')
      .where('complainant_id', 'in', [d.holder, d.copier, other.holder])
      .execute();
    expect(filed).toEqual([{ complainant_id: d.holder }]);
    const complaintEvents = await t.deps.db
      .selectFrom('events')
      .select('id')
      .where('type', '=', 'complaint.filed')
      .where('asset_id', 'in', [d.asset.id, other.asset.id, draft.id])
      .execute();
    expect(complaintEvents).toHaveLength(1);
  });

  it('a complainant files at most COMPLAINTS_PER_ACCOUNT_PER_DAY complaints in 24 hours', async () => {
    const d = await dispute();
    const works = [d.asset, ...(await Promise.all([m.work(), m.work(), m.work()])).map((w) => w.asset)];
    for (const asset of works.slice(0, 3)) m.ok(await complain({ ...d, asset }), 201);
    const refused = m.problem(await complain({ ...d, asset: works[3] }), 429, 'quota_exceeded');
    expect(refused).toMatchObject({ quota: 'complaints_per_account_per_day', limit: 3 });
  });
});

describe('cases: transitions', () => {
  it('open → interim → awaiting_response → decided → appeal → decided (final) → closed: a takedown', async () => {
    const d = await openedCase();
    const [unit] = (await m.mint(d.p, d.edition.id, 2, d.copier)).units;
    const buyer = await m.account(d.p);
    await m.topUp(buyer, 100_000);
    const listing = await m.list(d.p, { kind: 'fixed', sellerId: d.copier, unitId: unit.id, price: 5000 });
    // A reservation not yet paid: the suspension releases it.
    const reserved = m.ok(await m.buy(d.p, listing.id, buyer, { settle: false }), 201);
    const derivative = await m.registeredAsset(d.p2, d.off, d.holder, { title: 'Remix', parents: [d.asset.id] });

    let c = await getCase(d.caseId, d.off);
    expect(c).toMatchObject({
      status: 'open',
      origin: 'complaint',
      complainantId: d.holder,
      respondentId: d.copier,
      complaintIds: [d.complaint.id],
    });
    expect(m.ok(await t.call('GET', `/v1/complaints/${d.complaint.id}`, { key: d.p2.key }), 200)).toMatchObject({
      status: 'in_case',
      caseId: d.caseId,
    });

    const off2 = await m.official('Officer Li');
    c = m.ok(await step(d.off, d.caseId, 'assign', { officialId: off2.id }), 200);
    expect(c.assignedTo).toBe(off2.id);

    c = m.ok(
      await step(off2, d.caseId, 'measures', { freeze: 'all', suspendListings: true, hide: true, reason: 'Pending review' }),
      200,
    );
    expect(c).toMatchObject({ status: 'interim', measures: { unitsFrozen: true, listingsSuspended: true, hidden: true } });
    expect(m.ok(await t.call('GET', `/v1/units/${unit.id}`), 200).frozen).toBe(true);
    expect(m.ok(await t.call('GET', `/v1/trades/${reserved.id}`, { key: d.p.key }), 200)).toMatchObject({ status: 'released' });
    expect(m.ok(await t.call('GET', `/v1/listings/${listing.id}`), 200).status).toBe('cancelled');
    // Trading the work is refused with the case's code.
    await expectTradingRefused(d, unit.id, buyer, 'work_under_case');
    m.problem(
      await t.call('POST', `/v1/units/${unit.id}/offers`, {
        key: d.p.key,
        body: {
          buyerId: buyer,
          currency: 'CNY',
          amount: 100,
          expiresAt: new Date(t.clock.now().getTime() + DAY * 1000).toISOString(),
        },
      }),
      409,
      'work_under_case',
    );

    c = m.ok(
      await step(off2, d.caseId, 'request-responses', {
        dueAt: new Date(t.clock.now().getTime() + 7 * DAY * 1000).toISOString(),
      }),
      200,
    );
    expect(c.status).toBe('awaiting_response');
    m.problem(
      await step(off2, d.caseId, 'decision', { determination: 'takedown', reason: 'Copied' }),
      409,
      'response_window_open',
    );
    const respondent = m.ok(
      await t.call('POST', `/v1/cases/${d.caseId}/responses`, {
        key: d.p.key,
        body: { partyId: d.copier, statement: 'I drew it myself.' },
      }),
      201,
    );
    expect(respondent).toMatchObject({ caseId: d.caseId, partyId: d.copier, evidence: [] });
    m.ok(
      await t.call('POST', `/v1/cases/${d.caseId}/responses`, {
        key: d.p2.key,
        body: { partyId: d.holder, statement: 'It is mine.' },
      }),
      201,
    );

    // Every party has responded: the official may decide before the deadline.
    c = m.ok(await step(off2, d.caseId, 'decision', { determination: 'takedown', reason: 'Copied from the earlier work' }), 200);
    expect(c).toMatchObject({ status: 'decided', determination: 'takedown', decidedBy: off2.id });
    expect(new Date(c.effectiveAt).getTime() - new Date(c.decidedAt).getTime()).toBe(15 * DAY * 1000);
    m.problem(
      await step(off2, d.caseId, 'decision', { determination: 'dismissed', reason: 'Again' }),
      409,
      'case_already_decided',
    );
    // Not yet in effect: the work is still registered, measures still hold.
    expect(m.ok(await t.call('GET', `/v1/assets/${d.asset.id}`), 200).status).toBe('registered');

    c = m.ok(await step(d.p, d.caseId, 'appeal', { partyId: d.copier, statement: 'The office misread my sketches.' }), 200);
    expect(c).toMatchObject({ status: 'appeal', appealedBy: d.copier });
    expect(await applyDueDeterminations(t.deps.db, new Date(t.clock.now().getTime() + 16 * DAY * 1000))).toBe(0);
    c = m.ok(await step(off2, d.caseId, 'decision', { determination: 'takedown', reason: 'Upheld on appeal' }), 200);
    expect(c).toMatchObject({ status: 'closed', determination: 'takedown' });
    m.problem(
      await step(off2, d.caseId, 'decision', { determination: 'dismissed', reason: 'Again' }),
      409,
      'case_already_decided',
    );

    const asset = m.ok(await t.call('GET', `/v1/assets/${d.asset.id}`), 200);
    expect(asset.status).toBe('revoked');
    expect(asset.registrationNumber).toBeTruthy();
    m.problem(await t.call('GET', `/v1/assets/${d.asset.id}/certificate`), 409, 'not_registered');
    // The public pages say the registration was revoked.
    const workPage = await t.call('GET', `/works/${d.asset.id}`);
    expect(workPage.text).toContain('id="revoked"');
    const certificatePage = await t.call('GET', `/works/${d.asset.id}/certificate`);
    expect(certificatePage.status).toBe(200);
    expect(certificatePage.text).toContain('id="revoked"');
    expect(certificatePage.text).toContain(asset.registrationNumber);
    const units = m.ok(await t.call('GET', `/v1/editions/${d.edition.id}/units`), 200).data;
    expect(units.every((u: { frozen: boolean }) => u.frozen)).toBe(true);
    await expectTradingRefused(d, unit.id, buyer, 'work_revoked');
    expect(m.ok(await t.call('GET', `/v1/complaints/${d.complaint.id}`, { key: d.p2.key }), 200).status).toBe('closed');
    // The buyer's money never moved.
    expect(await m.balance(buyer)).toBe(100_000);

    const types = (await events(d.asset.id)).map((e) => e.type);
    for (const type of [
      'case.opened',
      'case.assigned',
      'case.measures_imposed',
      'case.responses_requested',
      'case.response_filed',
      'case.decided',
      'case.appealed',
      'asset.revoked',
      'case.closed',
    ]) {
      expect(types).toContain(type);
    }
    const flagged = (await events(derivative.id)).filter((e) => e.type === 'asset.flagged_for_review');
    expect(flagged).toMatchObject([{ parentId: d.asset.id, caseId: d.caseId, reason: 'parent_taken_down' }]);
    const all = JSON.stringify(await events(d.asset.id));
    for (const secret of ['I drew it myself', 'misread my sketches', 'Upheld on appeal', 'Pending review', 'Clear similarity']) {
      expect(all).not.toContain(secret);
    }

    const subjects = await caseSubjects(t.deps.db, d.caseId);
    expect(subjects.assetIds).toEqual([d.asset.id, d.earlier.id, derivative.id].sort());
    expect(subjects.unitIds).toHaveLength(2);
    expect(subjects.listingIds).toContain(listing.id);
    expect(subjects.tradeIds).toContain(reserved.id);
    expect(subjects.complaintIds).toEqual([d.complaint.id]);
    expect(subjects.responseIds).toHaveLength(2);
  });

  it('a dismissal takes effect when the appeal window has passed and lifts the measures; a late appeal is refused', async () => {
    const d = await openedCase();
    const [unit, other] = (await m.mint(d.p, d.edition.id, 2, d.copier)).units;
    const listing = await m.list(d.p, { kind: 'fixed', sellerId: d.copier, unitId: other.id, price: 3000 });
    const onBoard = async () =>
      m.ok(await t.call('GET', '/v1/board/listings?limit=100'), 200).data.some((l: { id: string }) => l.id === listing.id);
    expect(await onBoard()).toBe(true);
    m.ok(await step(d.off, d.caseId, 'measures', { freeze: [unit.id], hide: true, reason: 'Hold' }), 200);
    // Hidden from the board; the work's page says a case is pending.
    expect(await onBoard()).toBe(false);
    const page = await t.call('GET', `/works/${d.asset.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="case-notice"');
    expect(page.text).toContain(d.caseId);
    expect(m.ok(await t.call('GET', `/v1/units/${unit.id}`), 200).frozen).toBe(true);
    const c = m.ok(await step(d.off, d.caseId, 'decision', { determination: 'dismissed', reason: 'Not similar enough' }), 200);
    expect(c.status).toBe('decided');
    // Interim measures hold through the appeal window.
    expect(m.ok(await t.call('GET', `/v1/units/${unit.id}`), 200).frozen).toBe(true);
    t.clock.advance(15 * DAY + 1);
    m.problem(await step(d.p2, d.caseId, 'appeal', { partyId: d.holder, statement: 'Too late' }), 409, 'appeal_window_closed');
    expect(await applyDueDeterminations(t.deps.db, t.clock.now())).toBeGreaterThanOrEqual(1);
    expect(m.ok(await t.call('GET', `/v1/units/${unit.id}`), 200).frozen).toBe(false);
    expect(await getCase(d.caseId, d.off)).toMatchObject({
      status: 'closed',
      determination: 'dismissed',
      measures: { unitsFrozen: false, hidden: false },
    });
    expect(await onBoard()).toBe(true);
    expect((await t.call('GET', `/works/${d.asset.id}`)).text).not.toContain('id="case-notice"');
    // Applying again finds nothing to do.
    expect(await applyDueDeterminations(t.deps.db, t.clock.now())).toBe(0);
    // A new complaint may be filed once the case is closed.
    m.ok(await complain(d), 201);
  });

  it('a settlement is recorded with its agreement hash and lifts the measures', async () => {
    const d = await openedCase();
    m.ok(await step(d.off, d.caseId, 'measures', { suspendListings: true, reason: 'Hold' }), 200);
    m.problem(await step(d.off, d.caseId, 'decision', { determination: 'settled', reason: 'Agreed' }), 422, 'agreement_required');
    const agreement = sha256('licence agreement signed by both');
    m.problem(await t.call('POST', '/v1/cases', { body: { assetId: d.asset.id } }), 401, 'unauthenticated');
    const c = m.ok(
      await step(d.off, d.caseId, 'decision', { determination: 'settled', reason: 'Agreed', agreementSha256: agreement }),
      200,
    );
    expect(c.terms).toMatchObject({ agreementSha256: agreement });
    const decided = (await events(d.asset.id)).find((e) => e.type === 'case.decided');
    expect(decided).toMatchObject({ determination: 'settled', agreementSha256: agreement });
  });
});

describe('auctions of a work under a case', () => {
  it('an auction with bids waits while the case suspends the work, and expires with the holds returned after a takedown', async () => {
    const d = await dispute();
    const [unit] = (await m.mint(d.p, d.edition.id, 1, d.copier)).units;
    const bidder = await m.account(d.p);
    await m.topUp(bidder, 5000);
    const endsAt = new Date(t.clock.now().getTime() + 3600_000).toISOString();
    const auction = await m.list(d.p, {
      kind: 'english',
      sellerId: d.copier,
      unitId: unit.id,
      startPrice: 1000,
      minIncrement: 100,
      antiSnipeSeconds: 0,
      endsAt,
    });
    m.ok(
      await t.call('POST', `/v1/listings/${auction.id}/bids`, { key: d.p.key, body: { bidderId: bidder, amount: 1500 } }),
      201,
    );
    expect(await m.balance(bidder)).toBe(3500);
    const c = m.ok(await open(d.off, { assetId: d.asset.id, courtReference: 'Injunction 12' }), 201);
    m.ok(await step(d.off, c.id, 'measures', { suspendListings: true, freeze: 'all', reason: 'Hold' }), 200);
    // The auction has a bid: it stays open, and further bids are refused.
    expect(m.ok(await t.call('GET', `/v1/listings/${auction.id}`), 200).status).toBe('open');
    m.problem(
      await t.call('POST', `/v1/listings/${auction.id}/bids`, { key: d.p.key, body: { bidderId: bidder, amount: 1700 } }),
      409,
      'work_under_case',
    );
    t.clock.advance(3601);
    expect(await closeAuctionIfDue(t.deps.db, auction.id, t.clock.now())).toEqual({
      result: 'deferred',
      reason: 'work_under_case',
    });
    m.ok(await step(d.off, c.id, 'decision', { determination: 'takedown', reason: 'Court order' }), 200);
    t.clock.advance(15 * DAY + 1);
    expect(await applyDueDeterminations(t.deps.db, t.clock.now())).toBeGreaterThanOrEqual(1);
    expect(await closeAuctionIfDue(t.deps.db, auction.id, t.clock.now())).toEqual({ result: 'expired', reason: 'work_revoked' });
    expect(await m.balance(bidder)).toBe(5000);
    expect(await m.owner(unit.id)).toBe(d.copier);
  });
});

describe('a further complaint against a work under a case', () => {
  it('joins the live case; its complainant becomes a party who may respond', async () => {
    const d = await openedCase();
    const p3 = await m.platform('Third');
    const other = await m.account(p3);
    const theirs = await m.registeredAsset(p3, d.off, other, { title: 'Another original' });
    const joined = m.ok(await complain({ ...d, p2: p3, holder: other, earlier: theirs }, {}, p3.key), 201);
    expect(joined).toMatchObject({ status: 'in_case', caseId: d.caseId });
    expect((await getCase(d.caseId, d.off)).complaintIds).toEqual([d.complaint.id, joined.id].sort());
    m.ok(await step(d.off, d.caseId, 'request-responses', {}), 200);
    m.ok(
      await t.call('POST', `/v1/cases/${d.caseId}/responses`, { key: p3.key, body: { partyId: other, statement: 'Mine too.' } }),
      201,
    );
    expect((await getCase(d.caseId, p3)).responses).toMatchObject([{ partyId: other }]);
  });
});

describe('cases: refusals', () => {
  it('wrong role, wrong state, deadline passed, not a party, a second live case', async () => {
    const d = await openedCase();
    m.problem(await open(d.p, { assetId: d.asset.id }), 403, 'wrong_role');
    m.problem(await open(d.off, { assetId: d.asset.id }), 409, 'case_open');
    m.problem(await open(d.off, { assetId: 'ast_01JABCDEFGHJKMNPQRSTVWXYZ1' }), 404, 'not_found');
    m.problem(await step(d.p, d.caseId, 'measures', { freeze: 'all', reason: 'x' }), 403, 'wrong_role');
    m.problem(await step(d.p, d.caseId, 'decision', { determination: 'takedown', reason: 'x' }), 403, 'wrong_role');
    m.problem(await step(d.off, d.caseId, 'appeal', { partyId: d.holder, statement: 'x' }), 403, 'wrong_role');
    m.problem(
      await step(d.off, d.caseId, 'decision', { determination: 'takedown', reason: 'x' }),
      409,
      'responses_not_requested',
    );
    m.problem(
      await step(d.off, d.caseId, 'decision', { determination: 'rights_transferred', reason: 'x' }),
      409,
      'responses_not_requested',
    );
    m.problem(
      await t.call('POST', `/v1/cases/${d.caseId}/responses`, { key: d.p.key, body: { partyId: d.copier, statement: 'early' } }),
      409,
      'case_wrong_state',
    );
    m.problem(await step(d.p, d.caseId, 'appeal', { partyId: d.copier, statement: 'x' }), 409, 'case_wrong_state');
    m.problem(
      await step(d.off, d.caseId, 'request-responses', { dueAt: new Date(t.clock.now().getTime() - 1000).toISOString() }),
      400,
      'invalid_deadline',
    );
    m.ok(
      await step(d.off, d.caseId, 'request-responses', { dueAt: new Date(t.clock.now().getTime() + DAY * 1000).toISOString() }),
      200,
    );
    m.problem(await step(d.off, d.caseId, 'request-responses', {}), 409, 'case_wrong_state');
    const stranger = await m.account(d.p);
    m.problem(
      await t.call('POST', `/v1/cases/${d.caseId}/responses`, { key: d.p.key, body: { partyId: stranger, statement: 'me too' } }),
      403,
      'not_a_party',
    );
    m.problem(
      await t.call('POST', `/v1/cases/${d.caseId}/responses`, {
        key: d.p.key,
        body: { partyId: d.holder, statement: 'not yours' },
      }),
      404,
      'not_found',
    );
    t.clock.advance(DAY + 1);
    m.problem(
      await t.call('POST', `/v1/cases/${d.caseId}/responses`, { key: d.p.key, body: { partyId: d.copier, statement: 'late' } }),
      409,
      'response_deadline_passed',
    );
    // The deadline has passed: the official may decide without the responses.
    m.ok(await step(d.off, d.caseId, 'decision', { determination: 'takedown', reason: 'No answer' }), 200);
    m.problem(await step(d.off, d.caseId, 'measures', { freeze: 'all', reason: 'late' }), 409, 'case_already_decided');
    m.problem(
      await step(d.off, d.caseId, 'decision', { determination: 'takedown', reason: 'twice' }),
      409,
      'case_already_decided',
    );
    m.problem(
      await step(d.off, 'cas_01JABCDEFGHJKMNPQRSTVWXYZ1', 'decision', { determination: 'dismissed', reason: 'x' }),
      404,
      'not_found',
    );
    // Reading a case: officials and the parties' platforms; nobody else.
    const outsider = await m.platform('Outsider');
    m.problem(await t.call('GET', `/v1/cases/${d.caseId}`, { key: outsider.key }), 404, 'not_found');
    expect((await getCase(d.caseId, d.p)).status).toBe('decided');
    expect((await getCase(d.caseId, d.p2)).responses).toEqual([]);
  });

  it('a court-ordered case without a complaint may be decided at once, recording the order', async () => {
    const d = await dispute();
    const doc = sha256('court order PDF');
    const c = m.ok(
      await open(d.off, {
        assetId: d.asset.id,
        courtReference: '(2026) Hu 0104 Min Chu 1234',
        courtDocumentSha256: doc,
        complainantId: d.holder,
      }),
      201,
    );
    expect(c).toMatchObject({ origin: 'court_order', complainantId: d.holder, courtDocumentSha256: doc });
    const decided = m.ok(
      await step(d.off, c.id, 'decision', {
        determination: 'rights_transferred',
        reason: 'Court order',
        courtReference: '(2026) Hu 0104 Min Chu 1234',
        courtDocumentSha256: doc,
      }),
      200,
    );
    expect(decided.status).toBe('decided');
    const opened = (await events(d.asset.id)).find((e) => e.type === 'case.opened');
    expect(opened).toMatchObject({
      origin: 'court_order',
      courtDocumentSha256: doc,
      courtReferenceSha256: sha256('(2026) Hu 0104 Min Chu 1234'),
    });
  });
});

describe('notifications', () => {
  it("both parties' platforms get the case events in their feed (and so by webhook); another platform does not", async () => {
    const d = await openedCase();
    m.ok(await step(d.off, d.caseId, 'decision', { determination: 'dismissed', reason: 'No copy' }), 200);
    await integrateLog(t.deps); // the feed follows the log
    const feed = async (key: string) => {
      const types: string[] = [];
      let after = '';
      for (;;) {
        const page = m.ok(await t.call('GET', `/v1/events?limit=100${after}`, { key }), 200);
        types.push(
          ...page.data
            .filter((e: { data: { facts: { caseId?: string } } }) => e.data.facts.caseId === d.caseId)
            .map((e: { type: string }) => e.type),
        );
        if (!page.hasMore) return types;
        after = `&after=${encodeURIComponent(page.nextCursor)}`;
      }
    };
    expect(await feed(d.p.key)).toEqual(['case.opened', 'case.decided']);
    expect(await feed(d.p2.key)).toEqual(['case.opened', 'case.decided']);
    const outsider = await m.platform('Outsider');
    expect(await feed(outsider.key)).toEqual([]);
  });
});

describe('the public record', () => {
  it('GET /v1/cases lists decided cases without personal data; officials see every case in full', async () => {
    const d = await openedCase();
    const pending = await openedCase();
    m.ok(await step(d.off, d.caseId, 'decision', { determination: 'dismissed', reason: 'Insufficient evidence' }), 200);
    const anyone = m.ok(await t.call('GET', '/v1/cases?limit=100'), 200);
    const ids = anyone.data.map((c: { id: string }) => c.id);
    expect(ids).toContain(d.caseId);
    expect(ids).not.toContain(pending.caseId);
    const item = anyone.data.find((c: { id: string }) => c.id === d.caseId);
    expect(item).toMatchObject({
      assetId: d.asset.id,
      determination: 'dismissed',
      status: 'decided',
      registrationNumber: d.asset.registrationNumber,
    });
    expect(item.decisionEventId).toMatch(/^evt_/);
    expect(item.case).toBeUndefined();
    const text = JSON.stringify(item);
    for (const secret of [d.holder, d.copier, 'Insufficient evidence']) expect(text).not.toContain(secret);
    const official = m.ok(await t.call('GET', `/v1/cases?limit=100&assetId=${pending.asset.id}`, { key: d.off.key }), 200);
    expect(official.data).toMatchObject([{ id: pending.caseId, status: 'open', case: { complainantId: pending.holder } }]);
  });
});
