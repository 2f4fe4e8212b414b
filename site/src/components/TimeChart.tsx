import {
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { timeOfDay } from '../lib/format.ts';

export interface TimeChartProps {
  /** One row per instant: `t` in epoch seconds, then one number per series key. */
  rows: Record<string, number | null>[];
  series: { key: string; name: string; color: string; width?: number }[];
  height: number;
  format: (v: number) => string;
  yDomain?: [number | string | ((v: number) => number), number | string | ((v: number) => number)];
  yWidth?: number;
  /** Horizontal lines (SLO, thresholds). */
  hLines?: { y: number; color: string; label?: string }[];
  /** Vertical markers (the fault, each learner change), `x` in epoch seconds. */
  vLines?: { x: number; color: string; label: string }[];
  legend?: boolean;
  /** Exemplars: one point per sampled request (`t` epoch seconds, `y` its value), each opening its trace. */
  points?: { t: number; y: number; traceId: string; title: string }[];
  onPoint?: (traceId: string) => void;
}

const exemplarColor = '#111827';

/** The one time-series chart of the site (recharts); loaded on demand so pages without charts stay light. */
export default function TimeChart(p: TimeChartProps) {
  return (
    <div className="chart" style={{ height: p.height }}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={p.rows} margin={{ top: 10, right: 16, bottom: 0, left: 4 }}>
          <CartesianGrid stroke="#e5e7eb" vertical={false} />
          <XAxis
            dataKey="t"
            type="number"
            domain={['dataMin', 'dataMax']}
            tickFormatter={(t: number) => timeOfDay(t * 1000)}
            tick={{ fontSize: 11, fill: '#57606a' }}
            minTickGap={48}
          />
          <YAxis
            tickFormatter={(v: number) => p.format(v)}
            tick={{ fontSize: 11, fill: '#57606a' }}
            width={p.yWidth ?? 60}
            domain={p.yDomain ?? [0, 'auto']}
          />
          <Tooltip labelFormatter={(t) => timeOfDay(Number(t) * 1000)} formatter={(v) => p.format(Number(v))} />
          {p.legend ? <Legend wrapperStyle={{ fontSize: 12 }} /> : null}
          {(p.hLines ?? []).map((h) => (
            <ReferenceLine
              key={`h${h.y}`}
              y={h.y}
              stroke={h.color}
              strokeDasharray="6 4"
              ifOverflow="extendDomain"
              label={
                h.label ? { value: h.label, position: 'insideBottomRight', fontSize: 11, fill: h.color } : undefined
              }
            />
          ))}
          {(p.vLines ?? []).map((v) => (
            <ReferenceLine
              key={`v${v.x}-${v.label}`}
              x={v.x}
              stroke={v.color}
              strokeDasharray="3 3"
              label={{ value: v.label, position: 'insideTopLeft', fontSize: 11, fill: '#32383f' }}
            />
          ))}
          {p.series.map((s) => (
            <Line
              key={s.key}
              dataKey={s.key}
              name={s.name}
              stroke={s.color}
              dot={false}
              strokeWidth={s.width ?? 2}
              isAnimationActive={false}
              connectNulls
            />
          ))}
          {p.points?.length ? (
            <Scatter
              name="exemplars (click: trace)"
              data={p.points}
              dataKey="y"
              fill={exemplarColor}
              isAnimationActive={false}
              legendType="diamond"
              shape={(s: { cx?: number; cy?: number; payload?: { traceId: string; title: string } }) => (
                <path
                  d={`M${s.cx ?? 0},${(s.cy ?? 0) - 5}l5,5l-5,5l-5,-5z`}
                  fill={exemplarColor}
                  fillOpacity={0.75}
                  className="exemplar"
                  role="button"
                  tabIndex={0}
                  aria-label={s.payload?.title}
                  data-exemplar-trace={s.payload?.traceId}
                  onClick={() => s.payload && p.onPoint?.(s.payload.traceId)}
                  onKeyDown={(e) => {
                    if ((e.key === 'Enter' || e.key === ' ') && s.payload) p.onPoint?.(s.payload.traceId);
                  }}
                >
                  <title>{s.payload?.title}</title>
                </path>
              )}
            />
          ) : null}
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
