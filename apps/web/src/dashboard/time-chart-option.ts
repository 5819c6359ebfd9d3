import type { ChartOption } from '../charts/echart.js';
import type { ThemeColors } from '../theme/theme-colors.js';

/** One series of a chart over time. */
export interface TimeSeriesSpec {
  name: string;
  values: Array<number | null>;
  color: string;
  kind: 'line' | 'bar';
  /** Bars with the same stack sit on top of each other. */
  stack?: string;
}

const tooltipTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * A chart over time in the theme's colours. The tooltip is built from DOM nodes with text
 * content, never from an HTML string, so series names and values cannot become markup (and no
 * inline style attribute trips the Content-Security-Policy).
 */
export function timeChartOption({
  times,
  series,
  colors,
  formatValue,
  formatAxis = formatValue,
}: {
  times: number[];
  series: TimeSeriesSpec[];
  colors: ThemeColors;
  /** How a value reads in the tooltip. */
  formatValue: (value: number) => string;
  /** How a value reads on the y axis (default: as in the tooltip). */
  formatAxis?: (value: number) => string;
}): ChartOption {
  return {
    animation: false,
    textStyle: { color: colors.text, fontFamily: 'system-ui, sans-serif' },
    grid: { left: 8, right: 16, top: 36, bottom: 4, containLabel: true },
    legend: {
      top: 0,
      left: 0,
      icon: 'roundRect',
      itemWidth: 12,
      itemHeight: 8,
      textStyle: { color: colors.textMuted },
    },
    tooltip: {
      trigger: 'axis',
      confine: true,
      backgroundColor: colors.surface,
      borderColor: colors.border,
      textStyle: { color: colors.text },
      formatter: (params) => tooltipContent(params, formatValue),
    },
    xAxis: {
      type: 'time',
      axisLine: { lineStyle: { color: colors.border } },
      axisTick: { lineStyle: { color: colors.border } },
      axisLabel: { color: colors.textMuted, hideOverlap: true },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      minInterval: 0,
      axisLabel: { color: colors.textMuted, formatter: (value: number) => formatAxis(value) },
      splitLine: { lineStyle: { color: colors.grid } },
    },
    series: series.map((spec) => {
      const data = times.map((time, index) => [time, spec.values[index] ?? null]);
      return spec.kind === 'bar'
        ? {
            type: 'bar' as const,
            name: spec.name,
            data,
            itemStyle: { color: spec.color },
            barMaxWidth: 18,
            ...(spec.stack ? { stack: spec.stack } : {}),
          }
        : {
            type: 'line' as const,
            name: spec.name,
            data,
            // A bucket between two empty ones has no line to draw: its dot must show.
            showSymbol: spec.values.some((value) => value === null),
            symbolSize: 5,
            connectNulls: false,
            lineStyle: { color: spec.color, width: 2 },
            itemStyle: { color: spec.color },
          };
    }),
  };
}

interface AxisTooltipParam {
  seriesName?: string;
  color?: unknown;
  value?: unknown;
}

function tooltipContent(params: unknown, formatValue: (value: number) => string): HTMLElement {
  const list = (Array.isArray(params) ? params : [params]) as AxisTooltipParam[];
  const root = document.createElement('div');
  root.className = 'chart-tooltip';
  const first = list[0]?.value;
  if (Array.isArray(first) && typeof first[0] === 'number') {
    const title = document.createElement('div');
    title.className = 'chart-tooltip-title';
    title.textContent = tooltipTime.format(first[0]);
    root.append(title);
  }
  for (const param of list) {
    const value = Array.isArray(param.value) ? param.value[1] : undefined;
    const row = document.createElement('div');
    row.className = 'chart-tooltip-row';
    const marker = document.createElement('span');
    marker.className = 'chart-tooltip-marker';
    if (typeof param.color === 'string') marker.style.backgroundColor = param.color;
    const text = document.createElement('span');
    text.textContent = `${param.seriesName ?? ''}: ${typeof value === 'number' ? formatValue(value) : '—'}`;
    row.append(marker, text);
    root.append(row);
  }
  return root;
}
