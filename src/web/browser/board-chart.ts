/**
 * /board: the daily median price by category, drawn with uPlot (pinned npm package, bundled).
 * The series come from the page itself (a JSON script element); without JavaScript the same
 * numbers are in the table beside the chart.
 */
import 'uplot/dist/uPlot.min.css';
import uPlot from 'uplot';

interface PriceIndex {
  dayLabel: string;
  days: number[];
  series: { label: string; values: (number | null)[] }[];
  currency: string;
  /** Digits of the currency's minor unit (0 for JPY, 2 for CNY), from the server. */
  digits: number;
}

const PALETTE = ['#b5121b', '#1f5fa8', '#2e7d32', '#8e44ad', '#d35400', '#16a085'];

const holder = document.getElementById('price-chart');
const data = document.getElementById('price-index');
if (holder && data) {
  const index = JSON.parse(data.textContent ?? '{}') as PriceIndex;
  const scale = 10 ** index.digits;
  const major = (v: number) => (v / scale).toFixed(index.digits);
  const width = () => Math.max(280, holder.clientWidth);
  const chart = new uPlot(
    {
      width: width(),
      height: 260,
      series: [
        {
          label: index.dayLabel,
          value: (_u: uPlot, v: number | null) => (v == null ? '–' : new Date(v * 1000).toISOString().slice(0, 10)),
        },
        ...index.series.map((s, i) => ({
          label: s.label,
          stroke: PALETTE[i % PALETTE.length],
          width: 2,
          spanGaps: true,
          points: { show: true },
          value: (_u: uPlot, v: number | null) => (v == null ? '–' : `${major(v)} ${index.currency}`),
        })),
      ],
      axes: [{}, { values: (_u: uPlot, ticks: number[]) => ticks.map((v) => (v / scale).toFixed(0)) }],
    },
    [index.days, ...index.series.map((s) => s.values)] as uPlot.AlignedData,
    holder,
  );
  holder.dataset.drawn = 'true';
  addEventListener('resize', () => chart.setSize({ width: width(), height: 260 }));
}
