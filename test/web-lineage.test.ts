import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINEAGE_GENERATIONS } from '../src/web/works/lineage.data.js';
import { startTestApp, type TestApp } from './support/harness.js';
import { world } from './support/world.js';

// The derivation graph on /works/{id}: server-rendered SVG, read here as HTML with no browser and
// no script. A chain root ← mid ← work ← {leafA, leafB}, where the work also derives from root
// directly (a diamond), and a draft derived from the work that must not appear.
let t: TestApp;
let ids: Record<'root' | 'mid' | 'work' | 'leafA' | 'leafB' | 'draft', string>;
let w: ReturnType<typeof world>;
let p: Awaited<ReturnType<ReturnType<typeof world>['platform']>>;
let off: Awaited<ReturnType<ReturnType<typeof world>['official']>>;
let holder: string;

const derive = async (title: string, parents: string[]) =>
  (await w.registeredAsset(p, off, holder, { title, parents })).id as string;

beforeAll(async () => {
  t = await startTestApp({ NOTICE_PERIOD: '0' });
  w = world(t);
  p = await w.platform();
  off = await w.official();
  holder = await w.account(p);
  const root = await derive('Root Qipao 旗袍', []);
  const mid = await derive('Mid Remix', [root]);
  const work = await derive('The Work under test', [mid, root]);
  const leafA = await derive('Leaf A', [work]);
  const leafB = await derive('Leaf B', [work]);
  const draft = w.ok(
    await t.call('POST', '/v1/assets', { key: p.key, body: w.assetBody(holder, { title: 'Draft', parents: [work] }) }),
    201,
  ).id;
  ids = { root, mid, work, leafA, leafB, draft };
});
afterAll(async () => {
  await t?.close();
});

/** What the graph on a work page draws: nodes with their generation, edges, links, in page order. */
async function graph(id: string, lang = 'en') {
  const res = await t.call('GET', `/works/${id}?lang=${lang}`);
  expect(res.status).toBe(200);
  const html = res.text;
  const svg = html.slice(html.indexOf('<figure id="lineage"'), html.indexOf('</figure>'));
  const nodes = [...svg.matchAll(/<g data-node="(\w+)" data-generation="(-?\d+)">/g)].map((m) => [m[1], Number(m[2])]);
  const edges = [...svg.matchAll(/data-parent="(\w+)" data-child="(\w+)"/g)].map((m) => `${name(m[1]!)}>${name(m[2]!)}`).sort();
  const links = [...svg.matchAll(/<a href="\/works\/(\w+)\?lang=[\w-]+"/g)].map((m) => m[1]!);
  const paths = [...svg.matchAll(/d="M([\d.]+) ([\d.]+)V([\d.]+)H([\d.]+)V([\d.]+)H([\d.]+)"/g)].map((m) =>
    m.slice(1).map(Number),
  );
  return { html, svg, nodes, edges, links, paths };
}

const name = (id: string) => Object.entries(ids).find(([, v]) => v === id)?.[0] ?? id;

describe('derivation graph', () => {
  for (const lang of ['zh-CN', 'en']) {
    it(`draws a work's ancestors up the chain and its public children (${lang})`, async () => {
      const g = await graph(ids.work, lang);
      // Earliest generation first; root sits two generations up (its longest way down to the work).
      expect(g.nodes.map(([id, gen]) => [name(id as string), gen])).toEqual([
        ['root', -2],
        ['mid', -1],
        ['work', 0],
        ['leafA', 1],
        ['leafB', 1],
      ]);
      expect(g.edges).toEqual(['root>mid', 'mid>work', 'root>work', 'work>leafA', 'work>leafB'].sort());
      // Every other work is a link to its page; the work itself is not; the draft is nowhere.
      expect(g.links.map(name).sort()).toEqual(['leafA', 'leafB', 'mid', 'root']);
      expect(g.html).not.toContain(ids.draft);
      expect(g.svg).toContain(lang === 'en' ? 'this work' : '本作品');
      expect(g.svg).toContain(lang === 'en' ? '<title>Derivation graph</title>' : '<title>衍生关系图</title>');
      // Each line goes down the page from the parent's dot and ends left of the child's dot.
      for (const [x0, y0, , , y1, x1] of g.paths) {
        expect(y1).toBeGreaterThan(y0!);
        expect(x1).toBeGreaterThan(x0!);
      }
      expect(g.paths).toHaveLength(5);
    });
  }

  it('a leaf shows three generations above it; the root shows only its direct derivatives', async () => {
    const leaf = await graph(ids.leafA);
    expect(leaf.nodes.map(([id, gen]) => [name(id as string), gen])).toEqual([
      ['root', -3],
      ['mid', -2],
      ['work', -1],
      ['leafA', 0],
    ]);
    expect(leaf.edges).toEqual(['root>mid', 'mid>work', 'root>work', 'work>leafA'].sort());

    const root = await graph(ids.root);
    expect(root.nodes.map(([id, gen]) => [name(id as string), gen])).toEqual([
      ['root', 0],
      ['mid', 1],
      ['work', 1],
    ]);
  });

  it('a long chain is cut after a few generations, and the page says so', async () => {
    let last = ids.leafB;
    for (let i = 0; i < LINEAGE_GENERATIONS; i++) last = await derive(`Generation ${i}`, [last]);
    const g = await graph(last);
    expect(Math.min(...g.nodes.map(([, gen]) => gen as number))).toBe(-LINEAGE_GENERATIONS);
    expect(g.nodes).toHaveLength(LINEAGE_GENERATIONS + 1);
    expect(g.svg).toContain('Earlier generations are not drawn.');
    const full = await graph(ids.leafB);
    expect(full.svg).not.toContain('Earlier generations are not drawn.');
  });

  it('a work with no derivation says so in words', async () => {
    const lone = await derive('Alone', []);
    const res = await t.call('GET', `/works/${lone}?lang=en`);
    expect(res.text).toContain('<p id="lineage">This work derives from no other, and no public work derives from it yet.</p>');
  });
});
