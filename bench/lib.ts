/** Small helpers shared by the benchmarks: figures and medians. */

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** Human-readable goal, e.g. "<= 1.3" or "= 1". */
  goal?: string;
  /** Whether the measured value meets the goal (undefined when there is none). */
  pass?: boolean;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function figure(name: string, value: number, unit: string, goal?: string): Figure {
  let pass: boolean | undefined;
  if (goal) {
    const [, op, target] = /^(<=|>=|=)\s*([\d.]+)$/.exec(goal) ?? [];
    const t = Number(target);
    pass =
      op === '<=' ? value <= t : op === '>=' ? value >= t : op === '=' ? value === t : undefined;
  }
  return { name, value, unit, goal, pass };
}
