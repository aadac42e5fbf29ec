import type { AppConfig } from '../../config.js';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import {
  type AttemptOutcome,
  type AttemptRecord,
  advancePosition,
  claimEndpoint,
  type Lease,
  recordAttempt,
  releaseEndpoint,
  setPending,
} from './delivery.repo.js';
import { type EndpointRow, signingSecrets } from './endpoints.repo.js';
import { envelopeBody, logSize, readFeed } from './feed.js';
import { openWebhookSecrets } from './secret-sealing.js';
import { signWebhook } from './signature.js';
import { fetchWebhookTransport, PrivateAddressError, type WebhookTransport } from './transport.js';
import { webhookUrlProblem } from './webhook-url.js';
import { type WebhookSettings, webhookSettings } from './webhooks.config.js';

/*
 * Delivery (Standard Webhooks): at least once, in log order per endpoint. An endpoint's next
 * message is not sent until the one before it was answered with a 2xx; a failure is retried with
 * exponential backoff and jitter, every attempt is recorded, and each retry sends the stored bytes
 * of the first attempt with a fresh webhook-timestamp and signature. It runs after commit, from the
 * log, never inside the transaction of a change: on Node on a loop of its own (node-scheduler.ts),
 * on Workers from the cron trigger (runScheduledWork).
 */

export interface WebhookDeliveryDeps {
  db: Db;
  clock: Clock;
  config: AppConfig;
  log: Logger;
  /** The outgoing HTTP client; `fetch` when absent (Workers). The Node entry installs `nodeWebhookTransport`. */
  webhookTransport?: WebhookTransport;
}

export interface DeliveryOptions {
  /** Endpoints served at once, so that one slow receiver does not hold up the others. */
  concurrency?: number;
  /** Messages one endpoint may be sent in one turn before others get theirs. */
  maxMessagesPerTurn?: number;
  /** No endpoint is claimed after this many milliseconds (attempts under way finish). */
  budgetMs?: number;
  /**
   * Shutdown: once aborted, no endpoint is claimed and no further message is sent; an attempt
   * already under way finishes and is recorded, so stopping waits one attempt timeout at most.
   */
  signal?: AbortSignal;
}

export interface DeliveryReport {
  attempts: number;
  delivered: number;
  failed: number;
}

const USER_AGENT = 'Haipai-Webhooks/1.0';
/** Backoff: 10 s · 2^(failures − 1), at most an hour, less up to a quarter at random. */
const BASE_DELAY_S = 10;
const MAX_DELAY_S = 3600;
/** An endpoint that has failed every attempt for this long is disabled (`failing`). */
export const DISABLE_AFTER_MS = 5 * 86400 * 1000;
/** Log entries one turn looks through for an endpoint's next event. */
const MAX_SCAN = 20_000;
/** The lease outlasts an attempt's timeout by this much, for the database writes around it. */
const LEASE_MARGIN_S = 30;

/** One round: serves every endpoint that has something due, each by one runner at a time. */
export async function deliverWebhooks(deps: WebhookDeliveryDeps, options: DeliveryOptions = {}): Promise<DeliveryReport> {
  const settings = webhookSettings(deps.config);
  const transport = deps.webhookTransport ?? fetchWebhookTransport();
  const leaseSeconds = Math.ceil(settings.attemptTimeoutMs / 1000) + LEASE_MARGIN_S;
  const budgetMs = options.budgetMs ?? 10_000;
  const report: DeliveryReport = { attempts: 0, delivered: 0, failed: 0 };
  const served: string[] = [];
  const started = Date.now();

  const runner = async () => {
    while (!options.signal?.aborted && Date.now() - started < budgetMs) {
      const lease: Lease = { token: crypto.randomUUID(), seconds: leaseSeconds };
      const ep = await claimEndpoint(deps.db, deps.clock.now(), await logSize(deps.db), lease, served);
      if (!ep) return;
      served.push(ep.id);
      try {
        await serveEndpoint(deps, transport, settings, ep, lease, options, report);
      } catch (err) {
        deps.log.error('webhook delivery failed', { endpointId: ep.id, error: (err as Error).message });
      } finally {
        await releaseEndpoint(deps.db, ep, lease);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, runner));
  return report;
}

async function serveEndpoint(
  deps: WebhookDeliveryDeps,
  transport: WebhookTransport,
  settings: WebhookSettings,
  claimed: EndpointRow,
  lease: Lease,
  options: DeliveryOptions,
  report: DeliveryReport,
): Promise<void> {
  const maxMessages = options.maxMessagesPerTurn ?? 100;
  let ep: EndpointRow | undefined = claimed;
  for (let turn = 0; ep && turn < maxMessages && !options.signal?.aborted; turn++) {
    const now = deps.clock.now();
    if (ep.pending_index === null) {
      const read = await readFeed(deps.db, { platformId: ep.platform_id, types: ep.event_types }, ep.position, {
        limit: 1,
        maxScan: MAX_SCAN,
      });
      const next = read.events[0];
      if (!next) {
        if (read.next !== ep.position) ep = await advancePosition(deps.db, ep, read.next, now, lease);
        if (!read.more) return;
        continue;
      }
      ep = await setPending(
        deps.db,
        ep,
        { index: next.index, eventId: next.eventId, body: envelopeBody(next.envelope) },
        now,
        lease,
      );
      if (!ep) return;
    }
    if (ep.next_attempt_at > now) return;

    const attempt = await attemptDelivery(deps, transport, settings, ep, now);
    const outcome = decide(ep, attempt, now);
    report.attempts++;
    if (outcome.kind === 'delivered') report.delivered++;
    else report.failed++;
    ep = await recordAttempt(deps.db, ep, attempt.record, outcome, deps.clock.now(), lease);
    if (outcome.kind !== 'delivered') return;
  }
}

async function attemptDelivery(
  deps: WebhookDeliveryDeps,
  transport: WebhookTransport,
  settings: WebhookSettings,
  ep: EndpointRow,
  now: Date,
): Promise<{ record: AttemptRecord; retryAfter: string | null }> {
  const t0 = Date.now();
  const record = (statusCode: number | null, error: string | null): AttemptRecord => ({
    startedAt: now,
    durationMs: Date.now() - t0,
    statusCode,
    error,
  });
  // Checked again at every attempt: the settings may have changed since the endpoint was made.
  const problem = webhookUrlProblem(ep.url, settings.allowHttpLocal);
  if (problem) return { record: record(null, `${problem.code}: ${problem.detail}`), retryAfter: null };

  const secrets = await openWebhookSecrets(deps.config, await signingSecrets(deps.db, ep.id, now));
  const headers = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    ...(await signWebhook(secrets, ep.pending_event_id!, now, ep.pending_body!)),
  };
  try {
    const res = await transport.post(ep.url, headers, ep.pending_body!, settings.attemptTimeoutMs);
    const error = res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}`;
    return { record: record(res.status, error), retryAfter: res.retryAfter };
  } catch (err) {
    const message = err instanceof PrivateAddressError ? `private_address: ${err.message}` : describeError(err);
    return { record: record(null, message), retryAfter: null };
  }
}

function decide(ep: EndpointRow, attempt: { record: AttemptRecord; retryAfter: string | null }, now: Date): AttemptOutcome {
  const status = attempt.record.statusCode;
  if (status !== null && status >= 200 && status < 300) return { kind: 'delivered' };
  // 410 Gone: the receiver wants no more (Standard Webhooks "Delivery success and failure").
  if (status === 410) return { kind: 'disable', reason: 'gone' };
  const failingSince = ep.failing_since ?? now;
  if (now.getTime() - failingSince.getTime() >= DISABLE_AFTER_MS) return { kind: 'disable', reason: 'failing' };
  const delay = retryDelaySeconds(ep.attempts + 1, attempt.retryAfter, now);
  return { kind: 'retry', at: new Date(now.getTime() + delay * 1000) };
}

/**
 * Seconds before the next try after `failures` failed attempts: 10 s · 2^(failures − 1) capped at
 * an hour, minus up to 25 % jitter so that receivers that failed together are not retried together;
 * never sooner than a Retry-After header asks (itself capped at an hour).
 */
export function retryDelaySeconds(failures: number, retryAfter: string | null, now: Date, random = Math.random): number {
  const base = Math.min(BASE_DELAY_S * 2 ** Math.min(failures - 1, 30), MAX_DELAY_S);
  const delay = base * (1 - 0.25 * random());
  return Math.max(delay, Math.min(retryAfterSeconds(retryAfter, now), MAX_DELAY_S));
}

/** Retry-After is delay-seconds or an HTTP date (RFC 9110 §10.2.3); 0 when absent or unreadable. */
function retryAfterSeconds(value: string | null, now: Date): number {
  if (!value) return 0;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? 0 : Math.max(0, (at - now.getTime()) / 1000);
}

function describeError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message} (${cause})` : e.message;
}
