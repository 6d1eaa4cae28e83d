// Charts drawn on the server as SVG (no script, no library): a donut whose slices are stroke
// dashes on a circle of circumference 100, so each slice's length is its percentage. Colours
// come from pool.css classes (the CSP allows no inline style); the numbers are also written out
// beside it, for screen readers and for anyone who prefers them.
import type { FC } from "hono/jsx";
import { formatCount } from "./numbers.ts";

export interface Slice {
  readonly label: string;
  readonly value: number;
  /** Colour class suffix: chart-a, chart-b, chart-c. */
  readonly tone: "a" | "b" | "c";
}

const RADIUS = 100 / (2 * Math.PI);

const percent = (value: number, total: number) => (total > 0 ? (value / total) * 100 : 0);

export const formatPercent = (p: number) => `${p >= 10 || p === 0 ? p.toFixed(1) : p.toFixed(2)}%`;

export const DonutChart: FC<{ id: string; title: string; slices: ReadonlyArray<Slice> }> = (
  { id, title, slices },
) => {
  const total = slices.reduce((sum, s) => sum + Math.max(0, s.value), 0);
  let offset = 0;
  const arcs = slices.map((s) => {
    const length = percent(Math.max(0, s.value), total);
    // Dashes start at 3 o'clock; 25 moves the first to 12 o'clock, each next one follows.
    const arc = { ...s, length, dashOffset: 25 - offset };
    offset += length;
    return arc;
  });
  return (
    <figure class="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`} class="chart-title">{title}</figcaption>
      <div class="chart-body">
        <svg
          viewBox="0 0 42 42"
          width="140"
          height="140"
          role="img"
          aria-labelledby={`${id}-title ${id}-legend`}
        >
          <circle class="chart-track" cx="21" cy="21" r={RADIUS.toFixed(4)} fill="none" stroke-width="7" />
          {arcs.filter((a) => a.length > 0).map((a) => (
            <circle
              class={`chart-${a.tone}`}
              cx="21"
              cy="21"
              r={RADIUS.toFixed(4)}
              fill="none"
              stroke-width="7"
              stroke-dasharray={`${a.length.toFixed(3)} ${(100 - a.length).toFixed(3)}`}
              stroke-dashoffset={a.dashOffset.toFixed(3)}
            />
          ))}
          <text x="21" y="22.5" text-anchor="middle" class="chart-total">
            {formatCount(total)}
          </text>
        </svg>
        <ul class="chart-legend" id={`${id}-legend`}>
          {slices.map((s) => (
            <li>
              <span class={`swatch swatch-${s.tone}`} aria-hidden="true" />
              {s.label}: <strong>{formatCount(s.value)}</strong>{" "}
              <span class="muted">({formatPercent(percent(Math.max(0, s.value), total))})</span>
            </li>
          ))}
        </ul>
      </div>
    </figure>
  );
};
