import type { Runner } from '@/services/runners'

export function runner(overrides: Partial<Runner> = {}): Runner {
  return {
    id: 1,
    name: 'runner-1',
    os: 'linux',
    labels: ['self-hosted', 'sync-test'],
    status: 'online',
    busy: false,
    last_seen_at: '2026-01-10T12:00:00Z',
    ...overrides,
  }
}
