import type { PageContext } from '../layout.js';
import type { Lineage } from './lineage.data.js';
import { lineageDict } from './lineage.dict.js';
import { GRAPH, layoutLineage, type PlacedNode } from './lineage-layout.js';

const INK = '#1d1d1f';
const MUTED = '#555';
const ACCENT = '#9e1018';
const LINE = '#8a8178';

/**
 * A work's derivation graph as server-rendered SVG (no script): the works it derives from up the
 * chain, the work itself, the works derived from it, each a link to its page. `data-node`, `data-parent` and
 * `data-child` name what is drawn, for tests and for anyone reading the markup.
 */
export function LineageGraph({ ctx, lineage }: { ctx: PageContext; lineage: Lineage }) {
  const t = lineageDict[ctx.lang];
  if (lineage.nodes.length === 1) return <p id="lineage">{t.alone}</p>;
  const { nodes, edges, height } = layoutLineage(lineage);
  return (
    <figure id="lineage" class="lineage">
      <svg
        xmlns="http://www.w3.org/2000/svg"
        viewBox={`0 0 ${GRAPH.width} ${height}`}
        width={GRAPH.width}
        height={height}
        style="max-width:100%;height:auto;display:block"
        font-size={GRAPH.font}
      >
        <title>{t.graph}</title>
        <g fill="none" stroke={LINE} stroke-width="1.5">
          {edges.map((e) => (
            <path data-parent={e.parent} data-child={e.child} d={e.d} />
          ))}
        </g>
        {nodes.map((n) => (
          <Node ctx={ctx} node={n} />
        ))}
      </svg>
      <figcaption class="muted">
        {t.note}
        {lineage.cut && ` ${t.cut}`}
      </figcaption>
    </figure>
  );
}

function Node({ ctx, node }: { ctx: PageContext; node: PlacedNode }) {
  const t = lineageDict[ctx.lang];
  const self = node.generation === 0;
  const sub = self ? t.self : node.title === null ? t.notPublic : (node.registrationNumber ?? '');
  const full = node.title ?? node.id;
  const body = (
    <>
      <text x={node.textX} y={node.y + GRAPH.padY + GRAPH.font} fill={self ? INK : ACCENT} font-weight={self ? '700' : undefined}>
        {node.lines.map((line, i) => (
          <tspan x={node.textX} dy={i === 0 ? 0 : GRAPH.line}>
            {line}
          </tspan>
        ))}
      </text>
      <text
        x={node.textX}
        y={node.y + GRAPH.padY + node.lines.length * GRAPH.line + GRAPH.subFont}
        fill={MUTED}
        font-size={GRAPH.subFont}
      >
        {sub}
      </text>
    </>
  );
  return (
    <g data-node={node.id} data-generation={String(node.generation)}>
      <circle
        cx={node.x}
        cy={node.cy}
        r={GRAPH.dot}
        fill={self ? ACCENT : '#fff'}
        stroke={self ? ACCENT : LINE}
        stroke-width="1.5"
      />
      {self || node.title === null ? (
        <g>{body}</g>
      ) : (
        // The link's name is its visible text; the full title is its tooltip.
        <a href={ctx.href(`/works/${node.id}`)}>
          <title>{full}</title>
          {/* The whole row is the link: a finger-sized target, not only the letters. */}
          <rect
            x={node.x - GRAPH.dot - 2}
            y={node.y}
            width={GRAPH.width - node.x + GRAPH.dot + 2 - GRAPH.padX}
            height={node.height}
            fill="transparent"
          />
          {body}
        </a>
      )}
    </g>
  );
}
