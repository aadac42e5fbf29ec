import type { Db } from '../../db/database.js';
import { ancestors } from '../../features/audit/audit.repo.js';
import type { WorkRecord } from './works.data.js';

/**
 * How many generations of earlier works the graph draws. The chain behind a work is usually short;
 * a longer one is cut here (and the page says so), so a phone never scrolls through dozens of rows.
 */
export const LINEAGE_GENERATIONS = 6;

export interface LineageNode {
  id: string;
  /** Null for a work that is not public: it appears by id only. */
  title: string | null;
  registrationNumber: string | null;
  /** −n: n generations before the work (the longest way up), 0: the work, 1: derived from it. */
  generation: number;
}

export interface Lineage {
  nodes: LineageNode[];
  /** Each edge runs from a work to one derived from it. */
  edges: { parent: string; child: string }[];
  /** Earlier generations exist beyond those drawn. */
  cut: boolean;
}

const isPublic = (status: string) => status === 'public_notice' || status === 'registered';

/**
 * The work's derivation graph: every work it derives from, up the chain (the audit's own ancestry
 * query, which the royalty split walks too), and the public works derived from it (the record's).
 */
export async function workLineage(db: Db, record: WorkRecord): Promise<Lineage> {
  const self = record.work;
  const chain = await ancestors(db, self.id);
  // A work reached by two ways sits above the longer one, so every edge points down the page.
  const depth = new Map<string, number>();
  for (const row of chain) depth.set(row.id, Math.max(depth.get(row.id) ?? 0, row.depth));
  const drawn = (id: string) => id === self.id || (depth.get(id) ?? Infinity) <= LINEAGE_GENERATIONS;

  const nodes: LineageNode[] = [];
  const seen = new Set<string>();
  for (const row of [...chain].sort((a, b) => depth.get(b.id)! - depth.get(a.id)! || a.id.localeCompare(b.id))) {
    if (seen.has(row.id) || !drawn(row.id)) continue;
    seen.add(row.id);
    const open = isPublic(row.status);
    nodes.push({
      id: row.id,
      title: open ? row.title : null,
      registrationNumber: open ? row.registration_number : null,
      generation: -depth.get(row.id)!,
    });
  }
  nodes.push({ id: self.id, title: self.title, registrationNumber: self.registrationNumber, generation: 0 });
  for (const child of record.children) nodes.push({ ...child, generation: 1 });

  const edges = new Map<string, { parent: string; child: string }>();
  for (const row of chain) {
    if (drawn(row.id) && drawn(row.via)) edges.set(`${row.id}>${row.via}`, { parent: row.id, child: row.via });
  }
  for (const child of record.children) edges.set(`${self.id}>${child.id}`, { parent: self.id, child: child.id });
  return { nodes, edges: [...edges.values()], cut: chain.some((row) => !drawn(row.id)) };
}
