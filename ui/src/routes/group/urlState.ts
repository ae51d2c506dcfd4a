// The group page keeps its tab and filters in the URL so that a view can be
// shared or bookmarked. Parameter names follow the reference dashboard.

import type { HistoryFilters, HistoryStatus } from '@/services/history'
import { HISTORY_STATUSES } from '@/services/history'
import type { TemplateStatusFilter } from './TemplatesTab'

export type GroupTab = 'queue' | 'history' | 'templates'

export interface GroupUrlState {
  tab: GroupTab
  view: 'linear' | 'grouped'
  history: HistoryFilters
  templateStatus: TemplateStatusFilter
  templateLabels: Record<string, string>
}

function prefixed(params: URLSearchParams, prefix: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of params) if (k.startsWith(prefix) && k.length > prefix.length) out[k.slice(prefix.length)] = v
  return out
}

export function parseGroupUrl(params: URLSearchParams): GroupUrlState {
  const tab = params.get('tab')
  const tstatus = params.get('tstatus')
  return {
    tab: tab === 'history' || tab === 'templates' ? tab : 'queue',
    view: params.get('view') === 'grouped' ? 'grouped' : 'linear',
    history: {
      status: (params.get('hstatus') ?? '')
        .split(',')
        .filter((s): s is HistoryStatus => (HISTORY_STATUSES as readonly string[]).includes(s)),
      labels: prefixed(params, 'hlabel.'),
    },
    templateStatus: tstatus === 'unlabeled' || tstatus === 'auto-requeue' || tstatus === 'no-auto-requeue' ? tstatus : '',
    templateLabels: prefixed(params, 'tlabel.'),
  }
}

/** Writes the state back, leaving defaults out so that URLs stay short. */
export function groupUrlParams(state: GroupUrlState): URLSearchParams {
  const p = new URLSearchParams()
  if (state.tab !== 'queue') p.set('tab', state.tab)
  if (state.view !== 'linear') p.set('view', state.view)
  if (state.history.status.length > 0) p.set('hstatus', state.history.status.join(','))
  for (const [k, v] of Object.entries(state.history.labels)) p.set(`hlabel.${k}`, v)
  if (state.templateStatus) p.set('tstatus', state.templateStatus)
  for (const [k, v] of Object.entries(state.templateLabels)) p.set(`tlabel.${k}`, v)
  return p
}
