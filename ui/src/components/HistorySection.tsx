import { STATS_RANGES, type HistoryStats, type StatsRange } from '@/services/history'
import { ChartLegend, HistoryChart } from './HistoryChart'
import { Segmented } from './Segmented'
import { Spinner } from './Spinner'

interface Props {
  stats?: HistoryStats
  loading: boolean
  range: StatsRange
  onRangeChange: (r: StatsRange) => void
  mode: 'bar' | 'line'
  onModeChange: (m: 'bar' | 'line') => void
}

export function HistorySection({ stats, loading, range, onRangeChange, mode, onModeChange }: Props) {
  const empty = !stats || stats.totals.completed + stats.totals.failed + stats.totals.cancelled === 0
  return (
    <section className="rounded-lg border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900" aria-label="Job history chart">
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <Segmented value={range} options={STATS_RANGES.map((r) => [r, r === 'auto' ? 'Auto' : r])} onChange={onRangeChange} testId="chart-range" />
        <Segmented
          value={mode}
          options={[
            ['bar', 'Bar'],
            ['line', 'Line'],
          ]}
          onChange={onModeChange}
          testId="chart-mode"
        />
        {loading && <Spinner />}
        <div className="ml-auto">{stats && <ChartLegend totals={stats.totals} />}</div>
      </div>
      {empty ? (
        <p className="py-8 text-center text-sm text-zinc-500">{loading ? 'Loading…' : 'No historical data available'}</p>
      ) : (
        <HistoryChart buckets={stats.buckets} mode={mode} />
      )}
    </section>
  )
}
