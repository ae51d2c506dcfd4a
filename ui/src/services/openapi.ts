import { request } from '@/utils/api'

// Just enough of Swagger 2.0 and OpenAPI 3.x to render a readable reference.

export interface Schema {
  $ref?: string
  type?: string | string[]
  format?: string
  description?: string
  enum?: unknown[]
  items?: Schema
  properties?: Record<string, Schema>
  additionalProperties?: Schema | boolean
  required?: string[]
  allOf?: Schema[]
  oneOf?: Schema[]
  anyOf?: Schema[]
  nullable?: boolean
  example?: unknown
}

export interface Parameter {
  name: string
  in: string
  required?: boolean
  description?: string
  type?: string
  schema?: Schema
  items?: Schema
  $ref?: string
}

export interface Operation {
  summary?: string
  description?: string
  tags?: string[]
  parameters?: Parameter[]
  requestBody?: { description?: string; content?: Record<string, { schema?: Schema }> }
  responses?: Record<string, { description?: string; schema?: Schema; content?: Record<string, { schema?: Schema }> }>
  security?: Record<string, string[]>[]
  deprecated?: boolean
}

export interface ApiDocument {
  swagger?: string
  openapi?: string
  info?: { title?: string; version?: string; description?: string }
  basePath?: string
  servers?: { url: string }[]
  paths?: Record<string, Record<string, Operation | Parameter[]>>
  definitions?: Record<string, Schema>
  components?: { schemas?: Record<string, Schema> }
}

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const

export interface Endpoint {
  method: string
  path: string
  op: Operation
}

export const fetchOpenApi = (signal?: AbortSignal) => request<ApiDocument>('/openapi.json', { signal })

export function schemasOf(doc: ApiDocument): Record<string, Schema> {
  return doc.components?.schemas ?? doc.definitions ?? {}
}

/** Endpoints grouped by their first tag ("other" when untagged), in document order. */
export function endpointsByTag(doc: ApiDocument): [string, Endpoint[]][] {
  const groups = new Map<string, Endpoint[]>()
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const shared = Array.isArray(item.parameters) ? (item.parameters as Parameter[]) : []
    for (const method of HTTP_METHODS) {
      const op = item[method] as Operation | undefined
      if (!op) continue
      const merged = { ...op, parameters: [...shared, ...(op.parameters ?? [])] }
      const tag = op.tags?.[0] ?? 'other'
      groups.set(tag, [...(groups.get(tag) ?? []), { method, path, op: merged }])
    }
  }
  return [...groups.entries()]
}

/** "#/definitions/pkg.Job" → "pkg.Job". */
export const refName = (ref: string): string => ref.split('/').pop() ?? ref

/** Short display name: the part after the last dot of a Go package-qualified name. */
export const shortName = (name: string): string => name.split('.').pop() ?? name

/** The body schema of an operation, from Swagger 2 `in: body` or OpenAPI 3 requestBody. */
export function requestSchema(op: Operation): Schema | undefined {
  const body = op.parameters?.find((p) => p.in === 'body')
  if (body?.schema) return body.schema
  const content = op.requestBody?.content
  return content?.['application/json']?.schema ?? Object.values(content ?? {})[0]?.schema
}

export function responseSchema(r: NonNullable<Operation['responses']>[string]): Schema | undefined {
  if (r.schema) return r.schema
  return r.content?.['application/json']?.schema ?? Object.values(r.content ?? {})[0]?.schema
}
