// Machine facts and Markdown tables for the benchmark report.
import { readFileSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';

export function machineFacts() {
  let cpuModel = 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // Not Linux; the benchmark needs /proc anyway.
  }
  return { node: process.version, cpuModel, cores: availableParallelism(), kernel: release() };
}

/** A Markdown table from a header row and body rows. */
export function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function fixed(value, digits) {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

/** Milliseconds with enough digits to tell sub-millisecond proxies apart. */
export function ms(value) {
  if (!Number.isFinite(value)) return '—';
  return value < 10 ? value.toFixed(3) : value.toFixed(1);
}

export function signedMs(value) {
  if (!Number.isFinite(value)) return '—';
  return `${value >= 0 ? '+' : ''}${ms(value)}`;
}

export function ratio(numerator, denominator) {
  if (!Number.isFinite(numerator) || !Number.isFinite(denominator) || denominator === 0) return '—';
  return `${(numerator / denominator).toFixed(2)}×`;
}

/** The nearest-rank percentile `p` (0–100) of `values`. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function mean(values) {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}
