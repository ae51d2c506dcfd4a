import { request } from '@/utils/api'
import type { JobEvent } from './jobs'

export interface AuditEvent extends JobEvent {
  group_id?: string
  job_id?: string
}

export interface AuditPage {
  events: AuditEvent[]
  next_cursor?: string
}

export interface AuditFilters {
  job?: string
  group?: string
  actor?: string
  type?: string
  since?: string
  until?: string
}

export const AUDIT_PAGE_SIZE = 100

export const fetchAudit = (filters: AuditFilters, cursor: string | undefined, signal?: AbortSignal) =>
  request<AuditPage>('/audit', { query: { ...filters, limit: AUDIT_PAGE_SIZE, cursor }, signal })

export const auditNextCursor = (lastPage: AuditPage | undefined): string | undefined =>
  lastPage && lastPage.events.length > 0 && lastPage.next_cursor ? lastPage.next_cursor : undefined
