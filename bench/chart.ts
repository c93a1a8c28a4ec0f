/** Small, dependency-free SVG charts for the benchmark results. */
function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const COLORS = ['#1d4ed8', '#15803d', '#b45309', '#7c3aed', '#be123c', '#0e7490'];

/**
 * Horizontal stacked bars: one bar per row, one segment per stage (milliseconds), and dashed vertical lines at
 * `marks` (targets).
 */
export function stackedBars(title: string, rows: Array<{ label: string; values: number[] }>, stages: string[], marks: Array<{ ms: number; label: string }> = []): string {
  const width = 760;
  const left = 120;
  const barHeight = 28;
  const top = 40;
  const max = Math.max(1, ...rows.map((r) => r.values.reduce((a, b) => a + b, 0)), ...marks.map((m) => m.ms));
  // Room on the right for the total's label.
  const scale = (width - left - 80) / max;
  const height = top + rows.length * (barHeight + 14) + 50;
  const parts: string[] = [`<text x="10" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`];
  const markParts = marks.map((mark) => {
    const x = (left + mark.ms * scale).toFixed(1);
    const bottom = top + rows.length * (barHeight + 14) - 8;
    return `<line x1="${x}" y1="${top - 6}" x2="${x}" y2="${bottom}" stroke="#444" stroke-dasharray="4 3"/><text x="${x}" y="${top - 9}" font-size="10" text-anchor="middle">${esc(mark.label)}</text>`;
  });
  rows.forEach((row, i) => {
    const y = top + i * (barHeight + 14);
    parts.push(`<text x="10" y="${y + barHeight * 0.68}" font-size="12">${esc(row.label)}</text>`);
    let x = left;
    row.values.forEach((v, j) => {
      const w = Math.max(0, v * scale);
      parts.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${COLORS[j % COLORS.length]}"><title>${esc(stages[j]!)}: ${Math.round(v)} ms</title></rect>`);
      x += w;
    });
    parts.push(`<text x="${(x + 6).toFixed(1)}" y="${y + barHeight * 0.68}" font-size="12">${Math.round(row.values.reduce((a, b) => a + b, 0))} ms</text>`);
  });
  parts.push(...markParts); // over the bars, so a target shows where a bar passes it
  const legendY = height - 22;
  stages.forEach((stage, j) => {
    const x = 10 + j * 125;
    parts.push(`<rect x="${x}" y="${legendY - 10}" width="12" height="12" fill="${COLORS[j % COLORS.length]}"/><text x="${x + 16}" y="${legendY}" font-size="11">${esc(stage)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif"><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>\n`;
}

/** The smallest of 1, 2, 2.5 and 5 times a power of ten that cuts 0…max into at most five steps (ticks a reader can read). */
function niceStep(max: number): number {
  const power = 10 ** Math.floor(Math.log10(max / 5));
  return [1, 2, 2.5, 5].map((m) => m * power).find((step) => max / step <= 5) ?? 10 * power;
}

/** A line chart of y against x, one or more series, and an optional dashed horizontal line (a target). */
export function lines(title: string, xLabel: string, yLabel: string, series: Array<{ name: string; points: Array<[number, number]> }>, mark?: { y: number; label: string }): string {
  // The legend has a column of its own right of the plot: inside it, lines at the top (TPR 100 %) crossed it.
  const legendWidth = 200;
  const width = 640 + legendWidth;
  const height = 360;
  const pad = { l: 60, r: 20 + legendWidth, t: 40, b: 50 };
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xMax = Math.max(1, ...xs);
  const yMax = Math.max(1e-9, ...ys, mark?.y ?? 0) * 1.05;
  const yStep = niceStep(yMax);
  const X = (x: number) => pad.l + (x / xMax) * (width - pad.l - pad.r);
  const Y = (y: number) => height - pad.b - (y / yMax) * (height - pad.t - pad.b);
  const parts = [
    `<text x="10" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<line x1="${pad.l}" y1="${height - pad.b}" x2="${width - pad.r}" y2="${height - pad.b}" stroke="#333"/>`,
    `<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${height - pad.b}" stroke="#333"/>`,
    `<text x="${width / 2}" y="${height - 12}" font-size="12" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text x="14" y="${height / 2}" font-size="12" transform="rotate(-90 14 ${height / 2})" text-anchor="middle">${esc(yLabel)}</text>`,
  ];
  for (let v = 0; v <= yMax; v += yStep) {
    parts.push(`<text x="${pad.l - 6}" y="${Y(v) + 4}" font-size="10" text-anchor="end">${Number(v.toPrecision(6))}</text>`);
  }
  for (const x of [...new Set(xs)]) parts.push(`<text x="${X(x)}" y="${height - pad.b + 16}" font-size="10" text-anchor="middle">${x}</text>`);
  if (mark) {
    const y = Y(mark.y).toFixed(1);
    parts.push(`<line x1="${pad.l}" y1="${y}" x2="${width - pad.r}" y2="${y}" stroke="#444" stroke-dasharray="4 3"/><text x="${pad.l + 6}" y="${Number(y) - 5}" font-size="10">${esc(mark.label)}</text>`);
  }
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${s.points.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of s.points) parts.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="3" fill="${color}"><title>${x}: ${y.toFixed(2)}</title></circle>`);
    parts.push(`<text x="${width - legendWidth + 4}" y="${pad.t + 10 + 16 * i}" font-size="11" fill="${color}">${esc(s.name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif"><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>\n`;
}
