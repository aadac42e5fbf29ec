import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireDueGrants } from '../src/features/licensing/expiry.js';
import { runScheduledWork } from '../src/scheduled.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { licensingWorld } from './support/licensing.js';

let t: TestApp;
let l: ReturnType<typeof licensingWorld>;
beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  l = licensingWorld(t);
});
afterAll(async () => t?.close());

const DAY = 86400;

describe('offers', () => {
  it('the rights holder publishes an offer; it is public unless it names accounts; refusals carry their codes', async () => {
    const { p, holder, asset } = await l.licensableWork();
    const offer = l.ok(await l.offer(p, asset.id, { conditionsSha256: 'a'.repeat(64) }), 201);
    expect(offer).toMatchObject({
      assetId: asset.id,
      uses: ['game_item'],
      territories: ['CN'],
      exclusivity: 'exclusive',
      status: 'open',
    });
    const named = l.ok(await l.offer(p, asset.id, { openTo: [await l.account(p)] }), 201);
    const list = l.ok(await t.call('GET', `/v1/assets/${asset.id}/licence-offers`), 200);
    expect(list.data.map((o: { id: string }) => o.id)).toEqual([offer.id]);
    expect((await t.call('GET', `/v1/licence-offers/${named.id}`)).status).toBe(404);
    expect((await t.call('GET', `/v1/licence-offers/${named.id}`, { key: p.key })).status).toBe(200);
    const [event] = (await l.eventsOfType('licence.offered')).filter((e) => e.offerId === offer.id);
    expect(event).toMatchObject({
      assetId: asset.id,
      rightsHolderId: holder,
      conditionsSha256: 'a'.repeat(64),
      upfrontFee: 10_000,
    });

    l.problem(await l.offer(p, asset.id, { territories: ['worldwide', 'CN'] }), 400, 'validation_failed');
    l.problem(await l.offer(p, asset.id, { territories: ['XK'] }), 400, 'validation_failed');
    l.problem(await l.offer(p, asset.id, { uses: ['cinema'] }), 400, 'validation_failed');
    l.problem(await l.offer(p, asset.id, { startsAt: l.at(10), endsAt: l.at(5) }), 400, 'validation_failed');
    l.problem(await l.offer(p, asset.id, { derivativeRoyaltyBps: 100 }), 400, 'validation_failed');
    l.problem(await l.offer(p, asset.id, { startsAt: l.at(-10), endsAt: l.at(-5) }), 422, 'term_ended');
    l.problem(await l.offer(p, asset.id, { creatorShareBps: 9600 }), 422, 'fees_exceed_price');
    l.problem(await l.offer(p, asset.id, { openTo: [holder] }), 422, 'licensee_is_rights_holder');
    const other = await l.platform();
    l.problem(await l.offer(other, asset.id), 404, 'not_found');
    const draft = l.ok(await t.call('POST', '/v1/assets', { key: p.key, body: l.assetBody(holder) }), 201);
    l.problem(await l.offer(p, draft.id), 409, 'work_not_registered');

    l.ok(await t.call('POST', `/v1/licence-offers/${offer.id}/withdraw`, { key: p.key }), 200);
    const licensee = await l.account(p);
    await l.topUp(licensee, 10_000);
    l.problem(await l.accept(p, offer.id, licensee), 409, 'offer_withdrawn');
    expect(await l.balance(licensee)).toBe(10_000);
  });
});

describe('grants', () => {
  it('accepting pays the upfront fee through the sale split and makes a grant with its own certificate', async () => {
    const { p, holder, designer, asset } = await l.licensableWork();
    const offer = l.ok(await l.offer(p, asset.id), 201);
    const game = await l.platform('Game studio');
    const licensee = await l.account(game);
    await l.topUp(licensee, 12_000);

    const grant = l.ok(await l.accept(game, offer.id, licensee), 201);
    expect(grant).toMatchObject({
      offerId: offer.id,
      assetId: asset.id,
      licenseeId: licensee,
      status: 'active',
      exclusivity: 'exclusive',
      late: false,
    });
    // 10,000: the offer platform's fee 5% = 500, the designer's 20% share = 2,000, the rights holder 7,500.
    expect(await l.balance(licensee)).toBe(2_000);
    expect(await l.balance(p.id)).toBe(500);
    expect(await l.balance(designer)).toBe(2_000);
    expect(await l.balance(holder)).toBe(7_500);
    const journal = l.ok(await t.call('GET', `/v1/journals/${grant.feeJournalId}`, { key: game.key }), 200);
    expect(journal.kind).toBe('licence_fee');
    // The platform's fee is a pending credit, as a trade's is: its balance row moves when folded.
    const feeLines = async () =>
      l.ok(await t.call('GET', `/v1/balances/${p.id}/statement?currency=CNY`, { key: p.key }), 200).data;
    expect(await feeLines()).toMatchObject([{ role: 'platform_fee', amount: 500, balanceAfter: 500, pending: true }]);

    await runScheduledWork(t.deps);
    expect(await feeLines()).toMatchObject([{ role: 'platform_fee', amount: 500, balanceAfter: 500, pending: false }]);
    const read = l.ok(await t.call('GET', `/v1/licence-grants/${grant.id}`, { key: p.key }), 200);
    expect(read.certificate.tlogProof).toContain('c2sp.org/tlog-proof');
    const extra = read.certificate.tlogProof.split('\n').find((x: string) => x.startsWith('extra '));
    const logged = JSON.parse(Buffer.from(extra.slice(6), 'base64').toString());
    expect(logged).toMatchObject({ type: 'licence.granted', grantId: grant.id, licenseeId: licensee, upfrontFee: 10_000 });
    expect((await t.call('GET', `/v1/licence-grants/${grant.id}`, { key: (await l.platform()).key })).status).toBe(404);

    const register = l.ok(await t.call('GET', `/v1/board/licences?assetId=${asset.id}`), 200);
    expect(register.data).toHaveLength(1);
    expect(register.data[0]).toMatchObject({
      grantId: grant.id,
      uses: ['game_item'],
      territories: ['CN'],
      exclusivity: 'exclusive',
    });
    expect(register.data[0].licensee).toMatch(/^p_[0-9a-f]{16}$/);
    expect(JSON.stringify(register)).not.toContain(licensee);

    // The work's public page and a listing's spec sheet show the grant too.
    const page = await t.call('GET', `/works/${asset.id}?lang=en`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Licences in force');
    expect(page.text).toContain(register.data[0].licensee);
    const edition = l.ok(
      await t.call('POST', `/v1/assets/${asset.id}/editions`, { key: p.key, body: { size: 5, preset: 'open_market' } }),
      201,
    );
    const listing = await l.list(p, { kind: 'fixed', sellerId: holder, editionId: edition.id, quantity: 1, price: 1_000 });
    const spec = l.ok(await t.call('GET', `/v1/board/listings/${listing.id}/spec`), 200);
    expect(spec.licenceGrants).toEqual(register.data);
  });

  it('refusals leave nothing written: too small a balance, the rights holder itself, an offer named to others', async () => {
    const { p, holder, asset } = await l.licensableWork();
    const offer = l.ok(await l.offer(p, asset.id), 201);
    const poor = await l.account(p);
    await l.topUp(poor, 9_999);
    const before = await l.counts();
    l.problem(await l.accept(p, offer.id, poor), 409, 'insufficient_funds');
    expect(await l.counts()).toEqual(before);
    expect(await l.balance(poor)).toBe(9_999);
    l.problem(await l.accept(p, offer.id, holder), 422, 'licensee_is_rights_holder');
    const named = l.ok(
      await l.offer(p, asset.id, { openTo: [holder === poor ? holder : await l.account(p)], territories: ['FR'] }),
      201,
    );
    l.problem(await l.accept(p, named.id, poor), 404, 'not_found');
    l.problem(await l.accept(p, offer.id, poor, { autoRenew: true }), 422, 'offer_not_renewable');
    const other = await l.platform();
    l.problem(await l.accept(other, offer.id, poor), 404, 'not_found');
  });
});

describe('exclusivity', () => {
  it('exclusive and sole grants never overlap another grant in use, territory and time; non-exclusive ones may share', async () => {
    const { p, asset } = await l.licensableWork();
    const buyers = await l.accounts(p, 8);
    await Promise.all(buyers.map((b) => l.topUp(b, 100_000)));
    const grantOf = async (i: number, over: Record<string, unknown>) => {
      const offer = l.ok(await l.offer(p, asset.id, over), 201);
      return l.accept(p, offer.id, buyers[i]!);
    };
    const first = l.ok(await grantOf(0, { territories: ['CN'], uses: ['game_item'], endsAt: l.at(100) }), 201);
    // Worldwide covers CN; non-exclusive inside an exclusive grant is refused too.
    const clash = l.problem(await grantOf(1, { territories: ['worldwide'], exclusivity: 'sole' }), 409, 'licence_conflict');
    expect(clash.conflictingGrantId).toBe(first.id);
    l.problem(
      await grantOf(1, { territories: ['CN'], exclusivity: 'non_exclusive', startsAt: l.at(50), endsAt: l.at(60) }),
      409,
      'licence_conflict',
    );
    // Another country, another use, or after the term: free.
    l.ok(await grantOf(2, { territories: ['FR', 'DE'] }), 201);
    l.ok(await grantOf(3, { territories: ['CN'], uses: ['advertising'] }), 201);
    l.ok(await grantOf(4, { territories: ['CN'], startsAt: l.at(100), endsAt: l.at(200) }), 201);
    // Two non-exclusive grants share; an exclusive one cannot join them.
    l.ok(await grantOf(5, { territories: ['JP'], exclusivity: 'non_exclusive' }), 201);
    l.ok(await grantOf(6, { territories: ['JP'], exclusivity: 'non_exclusive' }), 201);
    l.problem(
      await grantOf(7, { territories: ['JP'], exclusivity: 'exclusive', startsAt: l.at(300), endsAt: l.at(400) }),
      409,
      'licence_conflict',
    );
    l.problem(
      await grantOf(7, { territories: ['worldwide'], uses: ['physical_merchandise', 'game_item'] }),
      409,
      'licence_conflict',
    );
    expect(await l.balance(buyers[7]!)).toBe(100_000);
  });

  it('the exclusion constraint refuses an overlapping exclusive right even when written past the service', async () => {
    const { p, asset } = await l.licensableWork();
    const buyer = await l.account(p);
    await l.topUp(buyer, 10_000);
    const offer = l.ok(await l.offer(p, asset.id, { territories: ['worldwide'] }), 201);
    const grant = l.ok(await l.accept(p, offer.id, buyer), 201);
    const now = t.clock.now();
    const write = sql`insert into licence_grant_rights (grant_id, asset_id, use, territory, territory_span, slot, period)
      values (${grant.id}, ${asset.id}, 'game_item', 'IT', '[216,217)'::int4range, int8range(5, 6), tstzrange(${now}, ${new Date(now.getTime() + 1000)}))`;
    await expect(write.execute(t.deps.db)).rejects.toMatchObject({ code: '23P01' });
  });
});

describe('royalty reports', () => {
  it('royalties are settled per currency, periods follow one another, and the final report trues up the minimum guarantee', async () => {
    const { p, holder, designer, asset } = await l.licensableWork();
    const offer = l.ok(
      await l.offer(p, asset.id, {
        upfrontFee: 0,
        royaltyBps: 1000,
        minimumGuarantee: 5_000,
        endsAt: l.at(60),
        reportEveryDays: 30,
      }),
      201,
    );
    const licensee = await l.account(p);
    await l.topUp(licensee, 100_000);
    await l.topUp(licensee, 1_000, 'USD');
    const grant = l.ok(await l.accept(p, offer.id, licensee), 201);
    expect(grant.feeJournalId).toBeNull();

    l.problem(await l.report(p, grant.id, l.at(10), [{ currency: 'CNY', revenue: 1 }]), 422, 'period_not_over');
    t.clock.advance(30 * DAY);
    const firstEnd = l.at(0);
    const first = l.ok(
      await l.report(p, grant.id, firstEnd, [
        { currency: 'CNY', revenue: 20_005 },
        { currency: 'USD', revenue: 3_000 },
      ]),
      201,
    );
    // 10% of 20,005 is 2,000.5, rounded half up: 2,001; of 3,000 USD: 300.
    expect(first.lines).toEqual([
      expect.objectContaining({ currency: 'CNY', revenue: 20_005, royalty: 2_001, trueUp: 0 }),
      expect.objectContaining({ currency: 'USD', revenue: 3_000, royalty: 300, trueUp: 0 }),
    ]);
    expect(await l.balance(licensee)).toBe(100_000 - 2_001);
    expect(await l.balance(licensee, 'USD')).toBe(700);
    // 2,001: 5% fee 100, designer 20% 400, holder 1,501 (largest remainder).
    expect((await l.balance(p.id)) + (await l.balance(designer)) + (await l.balance(holder))).toBe(2_001);
    l.problem(await l.report(p, grant.id, firstEnd, [{ currency: 'CNY', revenue: 1 }]), 409, 'period_already_reported');
    l.problem(await l.report(p, grant.id, l.at(400), [{ currency: 'CNY', revenue: 1 }]), 422, 'period_beyond_term');

    t.clock.advance(31 * DAY);
    const end = l.ok(await t.call('GET', `/v1/licence-grants/${grant.id}`, { key: p.key }), 200).endsAt;
    const final = l.ok(await l.report(p, grant.id, end, [{ currency: 'CNY', revenue: 10_000 }]), 201);
    // Royalties in CNY over the term: 2,001 + 1,000 = 3,001 < 5,000: the final report charges 1,999 more.
    expect(final.lines).toEqual([expect.objectContaining({ currency: 'CNY', royalty: 1_000, trueUp: 1_999 })]);
    expect(await l.balance(licensee)).toBe(100_000 - 5_000);
    const after = l.ok(await t.call('GET', `/v1/licence-grants/${grant.id}`, { key: p.key }), 200);
    expect(after).toMatchObject({ truedUp: true, royaltiesInCurrency: 3_001, reportDueAt: null, late: false });
    const reports = l.ok(await t.call('GET', `/v1/licence-grants/${grant.id}/royalty-reports`, { key: p.key }), 200);
    expect(reports.data).toHaveLength(2);
    expect((await l.eventsOfType('licence.royalty_reported')).filter((e) => e.grantId === grant.id)).toHaveLength(2);
  });

  it('a report the licensee cannot pay is refused whole', async () => {
    const { p, asset } = await l.licensableWork();
    const offer = l.ok(await l.offer(p, asset.id, { upfrontFee: 0, royaltyBps: 1000, territories: ['KR'] }), 201);
    const licensee = await l.account(p);
    const grant = l.ok(await l.accept(p, offer.id, licensee), 201);
    t.clock.advance(DAY);
    const before = await l.counts();
    l.problem(await l.report(p, grant.id, l.at(0), [{ currency: 'CNY', revenue: 10_000 }]), 409, 'insufficient_funds');
    expect(await l.counts()).toEqual(before);
  });
});

describe('termination, expiry and renewal', () => {
  it('a late licensee can be terminated for non-payment; the log keeps the reason by hash; the rights are free again', async () => {
    const { p, asset } = await l.licensableWork();
    const offer = l.ok(await l.offer(p, asset.id, { territories: ['GB'], upfrontFee: 0, reportEveryDays: 30 }), 201);
    const [licensee, next] = await l.accounts(p, 2);
    const grant = l.ok(await l.accept(p, offer.id, licensee!), 201);
    const holder = asset.rightsHolderId;
    const terminate = () =>
      t.call('POST', `/v1/licence-grants/${grant.id}/terminate`, {
        key: p.key,
        body: { reason: 'No royalty report for the first quarter.' },
      });
    l.problem(await terminate(), 409, 'grant_not_in_default');

    t.clock.advance(61 * DAY);
    const late = l.ok(await t.call('GET', `/v1/accounts/${holder}/licence-grants?role=licensor&late=true`, { key: p.key }), 200);
    expect(late.data.map((g: { id: string }) => g.id)).toEqual([grant.id]);
    expect(late.data[0].late).toBe(true);
    l.problem(
      await t.call('POST', `/v1/licence-grants/${grant.id}/terminate`, { key: (await l.platform()).key, body: { reason: 'x' } }),
      404,
      'not_found',
    );
    const ended = l.ok(await terminate(), 200);
    expect(ended).toMatchObject({ status: 'terminated', terminationCause: 'non_payment' });
    const [event] = (await l.eventsOfType('licence.terminated')).filter((e) => e.grantId === grant.id);
    expect(event!.reasonSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(event)).not.toContain('first quarter');
    l.problem(await terminate(), 409, 'grant_terminated');
    l.problem(await l.report(p, grant.id, l.at(0), [{ currency: 'CNY', revenue: 1 }]), 409, 'grant_terminated');
    const again = l.ok(await l.offer(p, asset.id, { territories: ['GB'], upfrontFee: 0 }), 201);
    l.ok(await l.accept(p, again.id, next!), 201);
    const register = l.ok(await t.call('GET', `/v1/board/licences?assetId=${asset.id}`), 200);
    expect(register.data.map((e: { grantId: string }) => e.grantId)).not.toContain(grant.id);
  });

  it('an IP case that takes the work down ends every grant of it in force; the work is licensed no more', async () => {
    const { p, off, asset } = await l.licensableWork();
    const [a, b, c] = await l.accounts(p, 3);
    for (const [who, territory] of [
      [a!, 'US'],
      [b!, 'CA'],
    ] as const) {
      const offer = l.ok(await l.offer(p, asset.id, { territories: [territory], upfrontFee: 0 }), 201);
      l.ok(await l.accept(p, offer.id, who), 201);
    }
    const later = l.ok(await l.offer(p, asset.id, { territories: ['MX'], upfrontFee: 0 }), 201);
    // A court-ordered case is decided at once; the takedown takes effect when the appeal window has passed.
    const opened = l.ok(
      await t.call('POST', '/v1/cases', { key: off.key, body: { assetId: asset.id, courtReference: 'Court order 17' } }),
      201,
    );
    l.ok(
      await t.call('POST', `/v1/cases/${opened.id}/decision`, {
        key: off.key,
        body: { determination: 'takedown', reason: 'Court order' },
      }),
      200,
    );
    expect(l.ok(await t.call('GET', `/v1/board/licences?assetId=${asset.id}`), 200).data).toHaveLength(2);
    t.clock.advance(16 * DAY);
    await runScheduledWork(t.deps);
    const grants = await t.deps.db
      .selectFrom('licence_grants')
      .select(['status', 'termination_cause'])
      .where('asset_id', '=', asset.id)
      .execute();
    expect(grants).toEqual([
      { status: 'terminated', termination_cause: 'case_takedown' },
      { status: 'terminated', termination_cause: 'case_takedown' },
    ]);
    expect(l.ok(await t.call('GET', `/v1/board/licences?assetId=${asset.id}`), 200).data).toEqual([]);
    l.problem(await l.accept(p, later.id, c!), 409, 'work_not_registered');
  });

  it('the scheduler expires grants past their term and renews those set to renew, paying the fee again', async () => {
    const { p, holder, asset } = await l.licensableWork();
    const renewing = l.ok(
      await l.offer(p, asset.id, { territories: ['BR'], renewable: true, upfrontFee: 1_000, endsAt: l.at(10) }),
      201,
    );
    const plain = l.ok(await l.offer(p, asset.id, { territories: ['AR'], upfrontFee: 0, endsAt: l.at(10) }), 201);
    const broke = l.ok(
      await l.offer(p, asset.id, { territories: ['CL'], renewable: true, upfrontFee: 1_000, endsAt: l.at(10) }),
      201,
    );
    const [a, b, c] = await l.accounts(p, 3);
    await l.topUp(a!, 2_000);
    await l.topUp(c!, 1_000);
    const g1 = l.ok(await l.accept(p, renewing.id, a!, { autoRenew: true }), 201);
    const g2 = l.ok(await l.accept(p, plain.id, b!), 201);
    const g3 = l.ok(await l.accept(p, broke.id, c!, { autoRenew: true }), 201);
    const holderBefore = await l.balance(holder);

    t.clock.advance(11 * DAY);
    expect(await expireDueGrants(t.deps.db, t.clock.now())).toBeGreaterThanOrEqual(3);
    const read = async (id: string) => l.ok(await t.call('GET', `/v1/licence-grants/${id}`, { key: p.key }), 200);
    expect((await read(g1.id)).status).toBe('expired');
    expect((await read(g2.id)).status).toBe('expired');
    expect((await read(g3.id)).status).toBe('expired');
    const successor = await t.deps.db
      .selectFrom('licence_grants')
      .selectAll()
      .where('renewal_of', '=', g1.id)
      .executeTakeFirstOrThrow();
    expect(successor.starts_at.toISOString()).toBe(g1.endsAt);
    expect(successor.status).toBe('active');
    expect(await l.balance(a!)).toBe(0);
    expect(await l.balance(holder)).toBe(holderBefore + 750);
    const failed = (await l.eventsOfType('licence.renewal_failed')).filter((e) => e.grantId === g3.id);
    expect(failed).toEqual([expect.objectContaining({ code: 'insufficient_funds' })]);
    expect(
      (await l.eventsOfType('licence.expired')).filter((e) => [g1.id, g2.id, g3.id].includes(e.grantId as string)),
    ).toHaveLength(3);
    expect((await l.eventsOfType('licence.renewed')).filter((e) => e.renewalOf === g1.id)).toHaveLength(1);
    // Idempotent: a second run finds nothing due.
    expect(await expireDueGrants(t.deps.db, t.clock.now())).toBe(0);
    // A manual renewal of the successor; the same again is refused.
    await l.topUp(a!, 1_000);
    l.ok(await t.call('POST', `/v1/licence-grants/${successor.id}/renew`, { key: p.key }), 201);
    l.problem(await t.call('POST', `/v1/licence-grants/${successor.id}/renew`, { key: p.key }), 409, 'already_renewed');
    l.problem(await t.call('POST', `/v1/licence-grants/${g2.id}/renew`, { key: p.key }), 409, 'grant_expired');
  });
});

describe('derivatives under a grant', () => {
  it('a licensee registers a derivative of a work whose licence forbids them, citing its grant; royalties flow up by the grant', async () => {
    const closed = { commercialUse: 'corporate', derivativesAllowed: false };
    const { p, off, holder, asset } = await l.licensableWork({ licence: closed });
    const offer = l.ok(
      await l.offer(p, asset.id, {
        uses: ['derivative_design'],
        derivativesAllowed: true,
        derivativeRoyaltyBps: 3000,
        upfrontFee: 0,
      }),
      201,
    );
    const maker = await l.account(p);
    const grant = l.ok(await l.accept(p, offer.id, maker), 201);
    const body = (over: Record<string, unknown>) => l.assetBody(maker, { title: 'Derived qipao', parents: [asset.id], ...over });

    l.problem(await t.call('POST', '/v1/assets', { key: p.key, body: body({}) }), 422, 'parent_forbids_derivatives');
    l.problem(
      await t.call('POST', '/v1/assets', { key: p.key, body: body({ licenceGrants: [{ grantId: grant.id, territory: 'FR' }] }) }),
      422,
      'grant_territory_excludes',
    );
    const stranger = await l.account(p);
    l.problem(
      await t.call('POST', '/v1/assets', {
        key: p.key,
        body: l.assetBody(stranger, { parents: [asset.id], licenceGrants: [{ grantId: grant.id, territory: 'CN' }] }),
      }),
      422,
      'grant_not_held',
    );
    const gameOnly = l.ok(
      await l.offer(p, asset.id, { uses: ['game_item'], derivativesAllowed: true, territories: ['JP'], upfrontFee: 0 }),
      201,
    );
    const gameGrant = l.ok(await l.accept(p, gameOnly.id, maker), 201);
    l.problem(
      await t.call('POST', '/v1/assets', {
        key: p.key,
        body: body({ licenceGrants: [{ grantId: gameGrant.id, territory: 'JP' }] }),
      }),
      422,
      'grant_scope_excludes_derivatives',
    );

    const derived = await l.registeredAsset(p, off, maker, {
      title: 'Derived qipao',
      parents: [asset.id],
      licenceGrants: [{ grantId: grant.id, territory: 'CN' }],
    });
    // A sale of the derivative: its 10% royalty of 10,000 = 1,000; 30% of it (the grant's) goes up to the parent's holder.
    const edition = l.ok(
      await t.call('POST', `/v1/assets/${derived.id}/editions`, {
        key: p.key,
        body: { size: 5, preset: 'open_market', royaltyBps: 1000 },
      }),
      201,
    );
    const collector = await l.account(p);
    const [unit] = l.ok(
      await t.call('POST', `/v1/editions/${edition.id}/mint`, { key: p.key, body: { count: 1, toAccountId: collector } }),
      201,
    ).units;
    const listing = await l.list(p, { kind: 'fixed', sellerId: collector, unitId: unit.id, price: 10_000 });
    const buyer = await l.account(p);
    await l.topUp(buyer, 10_000);
    const before = await l.balance(holder);
    l.ok(await l.buy(p, listing.id, buyer), 201);
    expect((await l.balance(holder)) - before).toBe(300);
  });
});
