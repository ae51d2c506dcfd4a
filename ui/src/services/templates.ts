import { request } from '@/utils/api'

export interface JobTemplate {
  id: string
  group_id: string
  name: string
  owner: string
  repo: string
  workflow_id: string
  ref: string
  default_inputs: Record<string, string> | null
  labels: Record<string, string> | null
  in_config: boolean
  source_type?: 'inline' | 'file' | 'url' | (string & {})
  source_path?: string
  created_at?: string
  updated_at?: string
}

export interface ReloadResponse {
  message: string
  groups: { group_id: string; templates: number }[]
}

export const fetchTemplates = (groupId: string, signal?: AbortSignal) =>
  request<JobTemplate[]>(`/groups/${encodeURIComponent(groupId)}/templates`, { signal })

export const reloadTemplates = () => request<ReloadResponse>('/templates/reload', { method: 'POST' })

export const templateLabelKeys = (templates: readonly JobTemplate[]): string[] =>
  [...new Set(templates.flatMap((t) => Object.keys(t.labels ?? {})))].sort()

/** Display name of a template: its name, else its id. */
export const templateTitle = (t: Pick<JobTemplate, 'name' | 'id'>): string => t.name || t.id
