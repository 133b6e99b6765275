// chart.js — one small uPlot line chart per series of GET /v1/metrics/daily.
import uPlot from 'uplot';
import { h } from './dom.js';

const charts = new Set();

export function lineChart(container, { title, days, values, format }) {
  const box = h('figure', { class: 'chart', 'data-chart': title }, h('figcaption', {}, title));
  container.append(box);
  const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  const width = Math.max(240, Math.floor(box.clientWidth || container.clientWidth / 2 || 320) - 8);
  const plot = new uPlot(
    {
      width,
      height: 180,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [
        { stroke: '#5b6472', grid: { stroke: '#eef0f3' }, size: 32 },
        { stroke: '#5b6472', grid: { stroke: '#eef0f3' }, size: 56, values: (u, ticks) => ticks.map(format) },
      ],
      series: [{}, { label: title, stroke: '#2f6fed', width: 2, fill: 'rgba(47,111,237,0.08)', spanGaps: true, points: { show: days.length <= 31 } }],
    },
    [xs, values],
    box,
  );
  charts.add(plot);
  return plot;
}

// Charts of a page that is gone are destroyed before the next page draws its own.
export function destroyCharts() {
  for (const plot of charts) plot.destroy();
  charts.clear();
}
