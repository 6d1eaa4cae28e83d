// What every benchmark returns: named numbers with units, printed one per line by bench/main.ts.

export interface Measurement {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

/** The nearest-rank percentile (0 < p ≤ 100) of a non-empty sample. */
export const percentile = (sample: ReadonlyArray<number>, p: number): number => {
  const sorted = [...sample].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
};

export const formatMeasurement = (m: Measurement): string =>
  `${m.name.padEnd(56)} ${m.value.toFixed(m.value >= 100 ? 0 : 2).padStart(10)} ${m.unit}`;
