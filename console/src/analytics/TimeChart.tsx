/** A small time-series chart on uPlot (about 20 kB gzip; canvas drawing, so it stays fast for a year of days). */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export type Series = { label: string; values: number[]; color: string };

export function TimeChart({ title, days, series, height = 220 }: { title: string; days: string[]; series: Series[]; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const data: uPlot.AlignedData = [days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000), ...series.map((s) => s.values)];
    const chart = new uPlot({
      width: Math.max(280, element.clientWidth),
      height,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: days.length <= 31 } }))],
      axes: [{}, { size: 50 }],
      legend: { live: false },
    }, data, element);
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(280, element.clientWidth), height }));
    resize.observe(element);
    return () => { resize.disconnect(); chart.destroy(); };
  }, [days, series, height]);
  // The figures are in the tables beside each chart, for screen readers and keyboard users.
  return <figure className="chart"><figcaption>{title}</figcaption><div ref={box} aria-hidden="true" /></figure>;
}
