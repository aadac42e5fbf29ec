import { createRoute, z } from '@hono/zod-openapi';
import { pageQuerySchema, pageSchema } from '../../http/pagination.js';
import { idempotencyHeader, idParams, jsonBody, jsonResponse, problems } from '../../http/schemas.js';
import {
  appealBody,
  assignBody,
  caseListQuery,
  caseSchema,
  complaintSchema,
  decideBody,
  fileComplaintBody,
  measuresBody,
  openCaseBody,
  publicCaseSchema,
  requestResponsesBody,
  respondBody,
  responseSchema,
} from './cases.schemas.js';

const tags = ['cases'];
const STATE = 'Refused with 409 `case_wrong_state` (or `case_already_decided`) in any other state.';

export const fileComplaint = createRoute({
  method: 'post',
  path: '/v1/complaints',
  tags,
  summary: 'A rights holder files a complaint against a registered work',
  description:
    "The caller acts for the complainant (its platform, or the complainant's own key). Name the earlier work and/or attach " +
    'evidence (completed uploads of the complainant); the similarity screening between the two works is attached. The log ' +
    'carries the statement, copied elements and evidence by SHA-256 only. One live complaint per complainant and work ' +
    '(409 `complaint_exists`); `COMPLAINTS_PER_ACCOUNT_PER_DAY` in any 24 hours (429 `quota_exceeded`). 409 ' +
    '`work_not_registered`; 422 `own_work`, `same_work`, `evidence_required`, `invalid_evidence`. A work already under a ' +
    'live case takes the complaint into it.',
  request: { headers: idempotencyHeader, body: jsonBody(fileComplaintBody) },
  responses: { 201: jsonResponse('The complaint', complaintSchema), ...problems(400, 401, 403, 404, 409, 422, 429) },
});

export const getComplaint = createRoute({
  method: 'get',
  path: '/v1/complaints/{id}',
  tags,
  summary: "A complaint (officials, the operator, the complainant's platform)",
  request: { params: idParams('cmp') },
  responses: { 200: jsonResponse('The complaint', complaintSchema), ...problems(400, 401, 404) },
});

export const listComplaints = createRoute({
  method: 'get',
  path: '/v1/complaints',
  tags,
  summary: "Officials: the complaints queue, oldest first (filed ones by default); platforms see their own accounts' complaints",
  request: { query: pageQuerySchema.extend({ status: z.enum(['filed', 'in_case', 'closed']).optional() }) },
  responses: { 200: jsonResponse('A page of complaints', pageSchema(complaintSchema)), ...problems(400, 401) },
});

export const openCase = createRoute({
  method: 'post',
  path: '/v1/cases',
  tags,
  summary: 'An official opens a case on a registered work (from complaints, on its own initiative, or on a court order)',
  description:
    "Status `open`. The respondent is the rights holder; the complainant is the earliest complaint's. With `courtReference` " +
    'and no complaint the origin is `court_order`. One live case per work (409 `case_open`); complaints must be `filed` ' +
    'against this work (409 `complaint_not_filed`, 422 `complaint_other_work`). Both parties are notified (`case.opened`).',
  request: { headers: idempotencyHeader, body: jsonBody(openCaseBody) },
  responses: { 201: jsonResponse('The case', caseSchema), ...problems(400, 401, 403, 404, 409, 422) },
});

export const listCases = createRoute({
  method: 'get',
  path: '/v1/cases',
  tags,
  summary: 'The public record of decided cases; officials see every case',
  description:
    'Anyone: cases with a determination, by decision time — the work, its registration number, the decision, the dates and ' +
    'the log index of the decision event; no personal data. Officials and the operator: every case, each with its full ' +
    'view in `case`, and may filter by `status`.',
  request: { query: pageQuerySchema.extend(caseListQuery.shape) },
  responses: {
    200: jsonResponse('A page of cases', pageSchema(publicCaseSchema.extend({ case: caseSchema.optional() }))),
    ...problems(400),
  },
});

export const getCase = createRoute({
  method: 'get',
  path: '/v1/cases/{id}',
  tags,
  summary: 'A case in full, with its responses (officials, the operator, the parties and their platforms)',
  request: { params: idParams('cas') },
  responses: {
    200: jsonResponse('The case', caseSchema.extend({ responses: z.array(responseSchema) })),
    ...problems(400, 401, 404),
  },
});

const officialStep = <B extends z.ZodTypeAny>(
  path: string,
  summary: string,
  description: string,
  body: B,
  codes: (400 | 401 | 403 | 404 | 409 | 422)[],
) =>
  createRoute({
    method: 'post',
    path: `/v1/cases/{id}/${path}`,
    tags,
    summary,
    description,
    request: { params: idParams('cas'), headers: idempotencyHeader, body: jsonBody(body) },
    responses: { 200: jsonResponse('The case', caseSchema), ...problems(...codes) },
  });

export const assignCase = officialStep(
  'assign',
  'An official assigns the case to an official',
  `Any state but closed. ${STATE}`,
  assignBody,
  [400, 401, 403, 404, 409],
);

export const imposeMeasures = officialStep(
  'measures',
  'An official imposes interim measures: freeze units, suspend listings, hide from the board',
  'While undecided (`open` → `interim`; `interim`, `awaiting_response` stay). Freezes have cause `case`; suspended listings ' +
    'release their reservations (a card payment that succeeds later is refunded). Trading the work is then refused with ' +
    '409 `work_under_case`. Measures add up; the determination lifts them. 422 `unit_not_of_work`. ' +
    STATE,
  measuresBody,
  [400, 401, 403, 404, 409, 422],
);

export const requestResponses = officialStep(
  'request-responses',
  'An official asks the parties to respond by a deadline',
  '`open`/`interim` → `awaiting_response`; both parties are notified (`case.responses_requested`). 400 `invalid_deadline`. ' +
    STATE,
  requestResponsesBody,
  [400, 401, 403, 404, 409],
);

export const decideCase = officialStep(
  'decision',
  'An official decides: dismissed, takedown, rights_transferred or settled',
  'Takedown and rights transfer need the parties heard: 409 `responses_not_requested` before responses were asked for, ' +
    '409 `response_window_open` while the deadline runs and a party has not responded (a court-ordered case was heard by the ' +
    'court). The case becomes `decided`; the determination takes effect when the appeal window (`CASE_APPEAL_DAYS`) ends, ' +
    'and the case closes. Deciding an appeal is final and takes effect at once. 422 `new_holder_required`, ' +
    '`agreement_required`. A second decision is 409 `case_already_decided`.',
  decideBody,
  [400, 401, 403, 404, 409, 422],
);

export const respondToCase = createRoute({
  method: 'post',
  path: '/v1/cases/{id}/responses',
  tags,
  summary: 'A party responds with a statement and evidence before the deadline',
  description:
    'The caller acts for the party (its platform or its own key). 403 `not_a_party`; 409 `response_deadline_passed`; 422 ' +
    '`invalid_evidence`. ' +
    STATE,
  request: { params: idParams('cas'), headers: idempotencyHeader, body: jsonBody(respondBody) },
  responses: { 201: jsonResponse('The response', responseSchema), ...problems(400, 401, 403, 404, 409, 422) },
});

export const appealCase = createRoute({
  method: 'post',
  path: '/v1/cases/{id}/appeal',
  tags,
  summary: 'A party appeals a determination within the appeal window',
  description:
    '`decided` → `appeal`: the determination does not take effect; an official decides again, finally. 403 `not_a_party`; 409 `appeal_window_closed`. ' +
    STATE,
  request: { params: idParams('cas'), headers: idempotencyHeader, body: jsonBody(appealBody) },
  responses: { 200: jsonResponse('The case', caseSchema), ...problems(400, 401, 403, 404, 409) },
});
