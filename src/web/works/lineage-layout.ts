import type { Lineage, LineageNode } from './lineage.data.js';

/**
 * Where each work of a derivation graph goes in a small SVG, one work per row, earliest
 * generation on top and each generation indented one step further (a family tree read downwards).
 * Rows keep the full width for the title, so the graph stays readable on a 360-px phone screen; a
 * line runs from each work down and across to every work derived from it, through the gutter
 * between generations, where no dot or title ever is.
 */
export const GRAPH = {
  width: 360,
  padX: 8,
  indent: 22,
  dot: 5,
  font: 14,
  line: 18,
  subFont: 11,
  subLine: 15,
  padY: 6,
  maxTitleLines: 2,
} as const;

export interface PlacedNode extends LineageNode {
  x: number;
  y: number;
  /** The dot's centre. */
  cy: number;
  height: number;
  textX: number;
  lines: string[];
}

export interface PlacedEdge {
  parent: string;
  child: string;
  d: string;
}

export function layoutLineage(lineage: Lineage): { nodes: PlacedNode[]; edges: PlacedEdge[]; height: number } {
  const top = Math.min(...lineage.nodes.map((n) => n.generation));
  const ordered = [...lineage.nodes].sort((a, b) => a.generation - b.generation);
  let y = 0;
  const nodes = ordered.map((n): PlacedNode => {
    const x = GRAPH.padX + GRAPH.dot + (n.generation - top) * GRAPH.indent;
    const textX = x + GRAPH.dot + 9;
    const lines = wrapText(n.title ?? n.id, GRAPH.width - textX - GRAPH.padX, GRAPH.font, GRAPH.maxTitleLines);
    const height = GRAPH.padY * 2 + lines.length * GRAPH.line + GRAPH.subLine;
    const placed = { ...n, x, y, cy: y + GRAPH.padY + GRAPH.line / 2 + 1, height, textX, lines };
    y += height;
    return placed;
  });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges = lineage.edges.flatMap((e): PlacedEdge[] => {
    const p = byId.get(e.parent);
    const c = byId.get(e.child);
    if (!p || !c) return [];
    // Down from the parent's dot to the foot of its row, across into the gutter, down to the
    // child's row and across to its dot.
    const gutter = p.x + GRAPH.indent / 2;
    const d = `M${p.x} ${p.cy + GRAPH.dot}V${p.y + p.height}H${gutter}V${c.cy}H${c.x - GRAPH.dot}`;
    return [{ ...e, d }];
  });
  return { nodes, edges, height: y };
}

/** Ideographs take a full em; other letters a bit over half of one (system sans-serif, on average). */
function textWidth(s: string, font: number): number {
  let w = 0;
  for (const ch of s) w += (ch.codePointAt(0) ?? 0) >= 0x2e80 ? font : font * 0.6;
  return w;
}

/**
 * A title in at most `maxLines` lines of `width` units: breaks between words or between
 * ideographs (a word wider than a line is cut), and ends with "…" when the title is longer (the
 * full title stays in the link's tooltip and accessible name).
 */
export function wrapText(text: string, width: number, font: number, maxLines: number): string[] {
  const fits = (s: string) => textWidth(s, font) <= width;
  const tokens = (text.match(/[\u2e80-\u{10ffff}]|[^\s\u2e80-\u{10ffff}]+|\s+/gu) ?? []).flatMap((token) => {
    const pieces: string[] = [];
    let rest = token;
    while (!fits(rest)) {
      let cut = rest.length - 1;
      while (cut > 1 && !fits(rest.slice(0, cut))) cut--;
      pieces.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    return [...pieces, rest];
  });
  const lines: string[] = [''];
  for (const token of tokens) {
    const last = lines.length - 1;
    if (fits(lines[last] + token)) lines[last] += token;
    else lines.push(/^\s+$/.test(token) ? '' : token);
  }
  const shown = lines.map((l) => l.trim()).filter(Boolean);
  if (shown.length <= maxLines) return shown;
  let end = shown[maxLines - 1]!;
  while (end.length > 1 && !fits(`${end}…`)) end = end.slice(0, -1);
  return [...shown.slice(0, maxLines - 1), `${end.trimEnd()}…`];
}
