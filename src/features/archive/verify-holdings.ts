/**
 * Holdings, replayed from the proven events: a unit's owner is the recipient of the last change of
 * owner (an event with a `transferId`: unit.minted → ownerId, unit.gifted → toId, trade.settled →
 * buyerId) in its history, in log order; a work's rights holder is the one named by the last event
 * that names one (asset.created → rightsHolderId, asset.rights_transferred by an IP case → toId).
 * The manifest's claims must agree with what the log shows, not merely be signed.
 */
import type { Manifest } from './manifest.js';

type Facts = Record<string, unknown>;

export function replayHoldings(manifest: Manifest, entries: Map<string, Facts>): string[] {
  if (!manifest.holdings) return [];
  const failures: string[] = [];
  const lastChange = new Map<string, { eventId: string; to: unknown }>();
  const lastHolder = new Map<string, { eventId: string; to: unknown }>();
  for (const e of manifest.events) {
    const facts = entries.get(e.id);
    if (facts && isChangeOfOwner(facts)) {
      lastChange.set(facts.unitId as string, { eventId: e.id, to: facts.ownerId ?? facts.toId ?? facts.buyerId });
    }
    if (facts?.type === 'asset.created') lastHolder.set(facts.assetId as string, { eventId: e.id, to: facts.rightsHolderId });
    if (facts?.type === 'asset.rights_transferred') lastHolder.set(facts.assetId as string, { eventId: e.id, to: facts.toId });
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
      const named = lastHolder.get(w.workId);
      if (!named) failures.push(`holdings: work ${w.workId} of ${h.accountId}: no creation in its proven history`);
      else if (named.eventId !== w.heldSince || named.to !== h.accountId) {
        failures.push(
          `holdings: work ${w.workId}: its proven history last names ${String(named.to)} as rights holder (${named.eventId}), not ${h.accountId} (${w.heldSince})`,
        );
      }
    }
  }
  return failures;
}

function isChangeOfOwner(facts: Facts): boolean {
  return typeof facts.unitId === 'string' && typeof facts.transferId === 'string' && facts.transferId.startsWith('trf_');
}
