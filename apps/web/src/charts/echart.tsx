import { BarChart, type BarSeriesOption, LineChart, type LineSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  type GridComponentOption,
  LegendComponent,
  type LegendComponentOption,
  TooltipComponent,
  type TooltipComponentOption,
} from 'echarts/components';
import { type ComposeOption, type ECharts, init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

/** The options the charts of the UI may use: line and bar series on a grid, with tooltip and legend. */
export type ChartOption = ComposeOption<
  LineSeriesOption | BarSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption
>;

/** Only what these options need is bundled (echarts/core plus the parts below), not all of ECharts. */
const chartParts = [LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer];

/**
 * An ECharts chart that follows its container's size. The canvas is an image to assistive
 * technology, so `label` should say what it shows; keep the figures in a table or tiles too.
 *
 * The container carries `data-chart-state`: `drawing` from a new option or size until ECharts
 * reports the drawing `finished`, then `finished`. Browser tests wait for it before pointing at the
 * chart, since a pointer over a chart still being drawn shows no tooltip.
 *
 * @example
 * <EChart option={option} label="Requests per hour, last 24 hours" />
 */
export function EChart({ option, label }: { option: ChartOption; label: string }) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | undefined>(undefined);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    use(chartParts);
    const instance = init(element, undefined, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('finished', () => {
      element.dataset.chartState = 'finished';
    });
    const observer = new ResizeObserver(() => {
      // The observer also reports the size the chart was made at: nothing to redraw then.
      if (element.clientWidth === instance.getWidth() && element.clientHeight === instance.getHeight())
        return;
      element.dataset.chartState = 'drawing';
      instance.resize();
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.current = undefined;
      instance.dispose();
    };
  }, []);

  useEffect(() => {
    if (!chart.current || !container.current) return;
    container.current.dataset.chartState = 'drawing';
    chart.current.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={container} className="chart" role="img" aria-label={label} />;
}
