/**
 * Chart geometry for the Reports page, drawn on the server. This module only
 * computes shapes and words; views/reports/_chart.eta writes them out as SVG
 * with escaped text, so nothing a person typed (a staff name) can become
 * markup. Series are told apart by pattern as well as colour (the patterns are
 * defined in the partial), and every bar carries its number as a label.
 */

/** Series fills: solid, stripes, dots, cross-hatch (views/reports/_chart.eta). */
export const SERIES_COUNT = 4;

export interface ChartRect {
  x: number;
  y: number;
  w: number;
  h: number;
  series: number;
}

export interface ChartText {
  x: number;
  y: number;
  text: string;
  anchor: 'start' | 'middle' | 'end';
  /** `inverse` for words drawn on a dark fill. */
  tone?: 'muted' | 'inverse';
}

export interface ChartLine {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  kind: 'axis' | 'grid' | 'target';
}

export interface ChartModel {
  id: string;
  title: string;
  description: string;
  width: number;
  height: number;
  rects: ChartRect[];
  texts: ChartText[];
  lines: ChartLine[];
}

export interface SeriesRow {
  label: string;
  values: number[];
  /** What each bar's label says, when not the number itself. */
  labels?: string[];
  /** Said instead of bars, such as "no response target". */
  note?: string;
}

const WIDTH = 480;
const LABEL_W = 112;
const RIGHT = 56;
const BAR_H = 16;
const GAP = 12;
const LEGEND_H = 28;
/** A segment narrower than this is left unlabelled; the total at the end still counts it. */
const MIN_LABELLED = 22;

/** Long names are cut to fit the label column; the table beside the chart has them whole. */
function shorten(label: string): string {
  return label.length > 15 ? `${label.slice(0, 14)}…` : label;
}

function legend(series: readonly string[]): { rects: ChartRect[]; texts: ChartText[] } {
  const rects: ChartRect[] = [];
  const texts: ChartText[] = [];
  let x = 0;
  let y = 4;
  for (const [i, name] of series.entries()) {
    const w = 20 + name.length * 7.2;
    if (x > 0 && x + w > WIDTH) {
      x = 0;
      y += 20;
    }
    rects.push({ x, y, w: 14, h: 14, series: i });
    texts.push({ x: x + 18, y: y + 12, text: name, anchor: 'start' });
    x += w + 12;
  }
  return { rects, texts };
}

function legendHeight(series: readonly string[]): number {
  return series.length > 1
    ? legend(series).rects.reduce((h, r) => Math.max(h, r.y), 0) + LEGEND_H
    : 0;
}

/**
 * Horizontal bars, one group per row: stacked (parts of one whole, labelled
 * inside and totalled at the end) or side by side (each labelled at its end).
 * `reference` draws a line at that value, such as the response target.
 */
export function horizontalBars(options: {
  id: string;
  title: string;
  description: string;
  series: readonly string[];
  rows: readonly SeriesRow[];
  stacked?: boolean;
  reference?: { value: number; label: string };
}): ChartModel {
  const { series, rows, stacked = false, reference } = options;
  const top = legendHeight(series) + (reference ? 18 : 0);
  const perRow = stacked ? BAR_H : BAR_H * series.length;
  const plotW = WIDTH - LABEL_W - RIGHT;
  const widest = Math.max(
    reference?.value ?? 0,
    ...rows.map((r) => (stacked ? r.values.reduce((a, b) => a + b, 0) : Math.max(0, ...r.values))),
  );
  const scale = widest > 0 ? plotW / widest : 0;
  const { rects, texts } = series.length > 1 ? legend(series) : { rects: [], texts: [] };
  const lines: ChartLine[] = [];
  let y = top;
  for (const row of rows) {
    texts.push({ x: LABEL_W - 6, y: y + perRow / 2 + 5, text: shorten(row.label), anchor: 'end' });
    if (row.note) {
      texts.push({
        x: LABEL_W + 4,
        y: y + perRow / 2 + 5,
        text: row.note,
        anchor: 'start',
        tone: 'muted',
      });
    } else if (stacked) {
      let x = LABEL_W;
      for (const [i, value] of row.values.entries()) {
        const w = value * scale;
        if (value > 0) rects.push({ x, y, w, h: BAR_H, series: i });
        if (w >= MIN_LABELLED) {
          texts.push({
            x: x + w / 2,
            y: y + 12,
            text: String(value),
            anchor: 'middle',
            tone: i === 0 ? 'inverse' : undefined,
          });
        }
        x += w;
      }
      const total = row.values.reduce((a, b) => a + b, 0);
      texts.push({ x: x + 4, y: y + 12, text: String(total), anchor: 'start' });
    } else {
      for (const [i, value] of row.values.entries()) {
        const by = y + i * BAR_H;
        const w = value * scale;
        if (value > 0) rects.push({ x: LABEL_W, y: by + 1, w, h: BAR_H - 2, series: i });
        texts.push({
          x: LABEL_W + w + 4,
          y: by + 12,
          text: row.labels?.[i] ?? String(value),
          anchor: 'start',
        });
      }
    }
    y += perRow + GAP;
  }
  lines.push({ x1: LABEL_W, y1: top - 4, x2: LABEL_W, y2: y - GAP + 4, kind: 'axis' });
  if (reference && scale > 0) {
    const x = LABEL_W + reference.value * scale;
    lines.push({ x1: x, y1: top - 6, x2: x, y2: y - GAP + 4, kind: 'target' });
    texts.push({ x, y: top - 8, text: reference.label, anchor: 'middle' });
  }
  return {
    id: options.id,
    title: options.title,
    description: options.description,
    width: WIDTH,
    height: y - GAP + 8,
    rects,
    texts,
    lines,
  };
}

/** Round up to 1, 2 or 5 times a power of ten, so the axis reads easily. */
export function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

/** Vertical bars side by side per column (weeks), with a value axis and every few columns named. */
export function verticalBars(options: {
  id: string;
  title: string;
  description: string;
  series: readonly string[];
  columns: readonly SeriesRow[];
}): ChartModel {
  const { series, columns } = options;
  const top = legendHeight(series) + 10;
  const left = 40;
  const plotW = WIDTH - left - 8;
  const plotH = 180;
  const max = niceCeiling(Math.max(0, ...columns.flatMap((c) => c.values)));
  const { rects, texts } = legend(series);
  const lines: ChartLine[] = [];
  const bottom = top + plotH;
  for (const tick of [0, max / 2, max]) {
    const y = bottom - (tick / max) * plotH;
    lines.push({ x1: left, y1: y, x2: WIDTH - 8, y2: y, kind: tick === 0 ? 'axis' : 'grid' });
    texts.push({ x: left - 4, y: y + 4, text: String(tick), anchor: 'end', tone: 'muted' });
  }
  const slot = plotW / Math.max(1, columns.length);
  const barW = Math.max(2, (slot - 4) / series.length);
  // Name about six columns, so labels never overlap on a narrow screen.
  const every = Math.max(1, Math.ceil(columns.length / 6));
  for (const [c, column] of columns.entries()) {
    const x0 = left + c * slot + 2;
    for (const [i, value] of column.values.entries()) {
      const h = (value / max) * plotH;
      if (value > 0) rects.push({ x: x0 + i * barW, y: bottom - h, w: barW - 1, h, series: i });
    }
    if (c % every === 0) {
      texts.push({ x: x0, y: bottom + 16, text: column.label, anchor: 'start', tone: 'muted' });
    }
  }
  return {
    id: options.id,
    title: options.title,
    description: options.description,
    width: WIDTH,
    height: bottom + 24,
    rects,
    texts,
    lines,
  };
}
