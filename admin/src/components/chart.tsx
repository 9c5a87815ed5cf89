'use client';

import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

/** One plotted series: `key` in the data points, its legend label and colour. */
export interface ChartSeries {
  key: string;
  label: string;
  color: string;
}

/** An hourly chart (line or stacked bars) over points shaped `{ label, [key]: number }`. */
export function TimeChart({
  data,
  series,
  kind = 'line',
  unit,
  title,
}: {
  data: Record<string, unknown>[];
  series: ChartSeries[];
  kind?: 'line' | 'bar';
  unit?: string;
  title: string;
}) {
  const common = (
    <>
      <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.15} />
      <XAxis
        dataKey="label"
        tick={{ fontSize: 11, fill: 'currentColor' }}
        interval="preserveStartEnd"
        minTickGap={16}
      />
      <YAxis tick={{ fontSize: 11, fill: 'currentColor' }} width={40} unit={unit} allowDecimals={false} />
      <Tooltip contentStyle={{ fontSize: 12, color: '#0f172a' }} />
      <Legend wrapperStyle={{ fontSize: 12 }} />
    </>
  );
  return (
    <figure aria-label={title} className="h-60 w-full text-slate-500 dark:text-slate-400">
      <ResponsiveContainer width="100%" height="100%">
        {kind === 'bar' ? (
          <BarChart data={data}>
            {common}
            {series.map((s) => (
              <Bar
                key={s.key}
                dataKey={s.key}
                name={s.label}
                fill={s.color}
                stackId="a"
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        ) : (
          <LineChart data={data}>
            {common}
            {series.map((s) => (
              <Line
                key={s.key}
                dataKey={s.key}
                name={s.label}
                stroke={s.color}
                dot={false}
                connectNulls
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        )}
      </ResponsiveContainer>
    </figure>
  );
}
