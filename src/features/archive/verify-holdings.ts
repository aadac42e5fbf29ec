/**
 * Holdings, replayed from the proven events: a unit's owner is the recipient of the last change of
 * owner (an event with a `transferId`: unit.minted → ownerId, unit.gifted → toId, trade.settled →
 * buyerId) in its history, in log order; a work's rights holder is named by its asset.created event.
 * The manifest's claims must agree with what the log shows, not merely be signed.
 */
import type { Manifest } from './manifest.js';

type Facts = Record<string, unknown>;

export function replayHoldings(manifest: Manifest, entries: Map<string, Facts>): string[] {
  if (!manifest.holdings) return [];
  const failures: string[] = [];
  const lastChange = new Map<string, { eventId: string; to: unknown }>();
  for (const e of manifest.events) {
    const facts = entries.get(e.id);
    if (facts && isChangeOfOwner(facts)) {
      lastChange.set(facts.unitId as string, { eventId: e.id, to: facts.ownerId ?? facts.toId ?? facts.buyerId });
    }
  }
  for (const h of manifest.holdings) {
    for (const u of h.units) {
      const change = lastChange.get(u.unitId);
      if (!change) failures.push(`holdings: unit ${u.unitId} of ${h.accountId}: no change of owner in its proven history`);
      else if (change.eventId !== u.acquiredBy || change.to !== h.accountId) {
        failures.push(
          `holdings: unit ${u.unitId}: its proven history ends with ${change.eventId} to ${String(change.to)}, not ${u.acquiredBy} to ${h.accountId}`,
        );
      }
    }
    for (const w of h.works) {
      const created = entries.get(w.createdBy);
      if (created?.type !== 'asset.created' || created.assetId !== w.workId || created.rightsHolderId !== h.accountId) {
        failures.push(
          `holdings: work ${w.workId}: ${w.createdBy} is not its proven creation naming ${h.accountId} as rights holder`,
        );
      }
    }
  }
  return failures;
}

function isChangeOfOwner(facts: Facts): boolean {
  return typeof facts.unitId === 'string' && typeof facts.transferId === 'string' && facts.transferId.startsWith('trf_');
}
