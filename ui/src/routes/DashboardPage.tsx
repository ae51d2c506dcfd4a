import { useQueries, useQuery } from '@tanstack/react-query'
import { GroupCard } from '@/components/GroupCard'
import { EmptyState, ErrorBlock, LoadingBlock } from '@/components/Spinner'
import { fetchGroups } from '@/services/groups'
import { fetchHistoryStats } from '@/services/history'
import { queryKeys } from '@/services/keys'

export function DashboardPage() {
  const groups = useQuery({ queryKey: queryKeys.groups(), queryFn: ({ signal }) => fetchGroups(signal) })
  // The 24 h window slides with time, so the charts refresh every minute;
  // finished jobs also invalidate them through the live socket.
  const stats = useQueries({
    queries: (groups.data ?? []).map((g) => ({
      queryKey: queryKeys.historyStats(g.id, '24h'),
      queryFn: ({ signal }: { signal: AbortSignal }) => fetchHistoryStats(g.id, '24h', signal),
      refetchInterval: 60_000,
    })),
  })

  return (
    <div className="mx-auto max-w-7xl">
      <h1 className="mb-4 text-xl font-semibold">Dashboard</h1>
      {groups.isPending && <LoadingBlock />}
      {groups.isError && <ErrorBlock error={groups.error} title="Could not load groups" />}
      {groups.data && groups.data.length === 0 && (
        <EmptyState>No groups configured yet. Add runner groups under [[groups.github]] in the server config.</EmptyState>
      )}
      {groups.data && groups.data.length > 0 && (
        <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
          {groups.data.map((g, i) => (
            <GroupCard key={g.id} group={g} stats={stats[i]?.data} />
          ))}
        </div>
      )}
    </div>
  )
}
