import type { JobTemplate } from '@/services/templates'

export function template(overrides: Partial<JobTemplate> = {}): JobTemplate {
  return {
    id: 'tpl-1',
    group_id: 'g1',
    name: 'Sync geth',
    owner: 'ethpandaops',
    repo: 'syncoor-tests',
    workflow_id: 'syncoor.yaml',
    ref: 'master',
    default_inputs: { network: 'hoodi' },
    labels: { client: 'geth' },
    in_config: true,
    source_type: 'inline',
    source_path: '',
    ...overrides,
  }
}
