import { lazy, Suspense } from 'react';
import type { TimeChartProps } from './TimeChart.tsx';

const TimeChart = lazy(() => import('./TimeChart.tsx'));

/** TimeChart, fetched the first time a chart has data to draw (the chart library is most of the site's JS). */
export function LazyChart(p: TimeChartProps) {
  return (
    <Suspense
      fallback={
        <div className="chart" style={{ height: p.height }}>
          <p className="muted chart-empty">Drawing…</p>
        </div>
      }
    >
      <TimeChart {...p} />
    </Suspense>
  );
}
