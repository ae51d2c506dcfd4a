import type { GroupWithStats } from '@/services/groups'

export function group(overrides: Partial<GroupWithStats> = {}): GroupWithStats {
  return {
    id: 'g1',
    name: 'Sync Tests',
    description: 'Syncing tests',
    runner_labels: ['self-hosted', 'sync-test'],
    enabled: true,
    paused: false,
    queued_jobs: 0,
    running_jobs: 0,
    idle_runners: 1,
    busy_runners: 0,
    total_runners: 1,
    template_count: 1,
    ...overrides,
  }
}
