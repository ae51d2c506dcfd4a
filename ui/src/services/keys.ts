// Query keys, in one place so that live updates and mutations invalidate
// exactly what the pages read. The first element is the resource; anything
// after it narrows the key, so invalidating a prefix covers every variant.

import type { AuditFilters } from './audit'
import type { HistoryFilters } from './history'
import type { StatsRange } from './history'

export const queryKeys = {
  health: () => ['health'] as const,
  me: () => ['me'] as const,
  status: () => ['status'] as const,
  groups: () => ['groups'] as const,
  group: (id: string) => ['group', id] as const,
  queue: (groupId: string) => ['queue', groupId] as const,
  history: (groupId: string, filters?: HistoryFilters) =>
    filters ? (['history', groupId, filters] as const) : (['history', groupId] as const),
  historyStats: (groupId: string, range?: StatsRange) =>
    range ? (['historyStats', groupId, range] as const) : (['historyStats', groupId] as const),
  templates: (groupId: string) => ['templates', groupId] as const,
  groupRunners: (groupId: string) => ['groupRunners', groupId] as const,
  runners: () => ['runners'] as const,
  job: (id: string) => ['job', id] as const,
  jobEvents: (id: string) => ['jobEvents', id] as const,
  audit: (filters?: AuditFilters) => (filters ? (['audit', filters] as const) : (['audit'] as const)),
  openapi: () => ['openapi'] as const,
}
