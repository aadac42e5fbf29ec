import { requirePrincipal } from '../../http/auth.js';
import { decodeCursor } from '../../http/pagination.js';
import { notFound } from '../../http/problem.js';
import { createRouter } from '../../http/router.js';
import { caseSettingsOf } from './cases.config.js';
import { findCase, mayReadCase } from './cases.repo.js';
import * as routes from './cases.routes.js';
import * as service from './cases.service.js';
import { complaintsPage, complaintView, fullCaseView, publicCasesPage, responsesOf } from './cases.views.js';
import { fileComplaint } from './complaints.service.js';
import { decideCase } from './determination.service.js';

/** Complaints, cases and the public record of decisions (README.md in this folder: the state machine). */
export function casesRouter() {
  return createRouter()
    .openapi(routes.fileComplaint, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock, config } = c.get('deps');
      const input = c.req.valid('json');
      const complaint = await fileComplaint(db, principal, input, caseSettingsOf(config).complaintsPerDay, clock.now());
      return c.json(await complaintView(db, complaint), 201);
    })
    .openapi(routes.getComplaint, async (c) => {
      const principal = requirePrincipal(c);
      const { db } = c.get('deps');
      const { id } = c.req.valid('param');
      const complaint = await db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirst();
      const visible =
        complaint &&
        (principal.kind === 'official' ||
          principal.kind === 'operator' ||
          (principal.kind === 'platform' && principal.id === complaint.platform_id) ||
          (principal.kind === 'account' && principal.id === complaint.complainant_id));
      if (!complaint || !visible) throw notFound('complaint', id);
      return c.json(await complaintView(db, complaint), 200);
    })
    .openapi(routes.listComplaints, async (c) => {
      const principal = requirePrincipal(c);
      const { db } = c.get('deps');
      const { after, limit, status } = c.req.valid('query');
      return c.json(await complaintsPage(db, principal, { after: decodeCursor(after), limit, status }), 200);
    })
    .openapi(routes.openCase, async (c) => {
      const official = requirePrincipal(c, 'official');
      const { db, clock } = c.get('deps');
      const row = await service.openCase(db, official.id, c.req.valid('json'), clock.now());
      return c.json(await fullCaseView(db, row), 201);
    })
    .openapi(routes.listCases, async (c) => {
      const principal = c.get('principal');
      const { db } = c.get('deps');
      const { after, limit, status, assetId } = c.req.valid('query');
      const officer = principal?.kind === 'official' || principal?.kind === 'operator';
      const page = await publicCasesPage(db, { officer, status, assetId, after, limit });
      return c.json(page, 200);
    })
    .openapi(routes.getCase, async (c) => {
      const principal = requirePrincipal(c);
      const { db } = c.get('deps');
      const { id } = c.req.valid('param');
      const row = await findCase(db, id);
      if (!row || !(await mayReadCase(db, principal, row))) throw notFound('case', id);
      return c.json({ ...(await fullCaseView(db, row)), responses: await responsesOf(db, id) }, 200);
    })
    .openapi(routes.assignCase, async (c) => {
      const official = requirePrincipal(c, 'official');
      const { db, clock } = c.get('deps');
      const row = await service.assignCase(db, official.id, c.req.valid('param').id, c.req.valid('json').officialId, clock.now());
      return c.json(await fullCaseView(db, row), 200);
    })
    .openapi(routes.imposeMeasures, async (c) => {
      const official = requirePrincipal(c, 'official');
      const { db, clock } = c.get('deps');
      const row = await service.imposeMeasures(db, official.id, c.req.valid('param').id, c.req.valid('json'), clock.now());
      return c.json(await fullCaseView(db, row), 200);
    })
    .openapi(routes.requestResponses, async (c) => {
      const official = requirePrincipal(c, 'official');
      const { db, clock, config } = c.get('deps');
      const now = clock.now();
      const { dueAt } = c.req.valid('json');
      const due = dueAt ? new Date(dueAt) : new Date(now.getTime() + caseSettingsOf(config).responseMs);
      const row = await service.requestResponses(db, official.id, c.req.valid('param').id, due, now);
      return c.json(await fullCaseView(db, row), 200);
    })
    .openapi(routes.respondToCase, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock } = c.get('deps');
      const { id } = c.req.valid('param');
      const { response, evidence } = await service.respondToCase(db, principal, id, c.req.valid('json'), clock.now());
      return c.json(
        {
          id: response.id,
          caseId: response.case_id,
          partyId: response.party_id,
          statement: response.statement,
          evidence,
          createdAt: response.created_at.toISOString(),
        },
        201,
      );
    })
    .openapi(routes.decideCase, async (c) => {
      const official = requirePrincipal(c, 'official');
      const { db, clock, config } = c.get('deps');
      const { id } = c.req.valid('param');
      const row = await decideCase(db, official.id, id, c.req.valid('json'), caseSettingsOf(config).appealMs, clock.now());
      return c.json(await fullCaseView(db, row), 200);
    })
    .openapi(routes.appealCase, async (c) => {
      const principal = requirePrincipal(c, 'platform', 'account');
      const { db, clock } = c.get('deps');
      const row = await service.appealCase(db, principal, c.req.valid('param').id, c.req.valid('json'), clock.now());
      return c.json(await fullCaseView(db, row), 200);
    });
}
