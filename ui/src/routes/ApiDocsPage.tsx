import { useQuery } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import { ErrorBlock, LoadingBlock } from '@/components/Spinner'
import { queryKeys } from '@/services/keys'
import {
  endpointsByTag,
  fetchOpenApi,
  refName,
  requestSchema,
  responseSchema,
  schemasOf,
  shortName,
  type Endpoint,
  type Schema,
} from '@/services/openapi'
import { apiHref } from '@/utils/config'
import { cn } from '@/utils/cn'

const methodColour: Record<string, string> = {
  get: 'bg-sky-600',
  post: 'bg-green-600',
  put: 'bg-amber-600',
  patch: 'bg-amber-600',
  delete: 'bg-red-600',
}

export default function ApiDocsPage() {
  const doc = useQuery({ queryKey: queryKeys.openapi(), queryFn: ({ signal }) => fetchOpenApi(signal), staleTime: Infinity })
  const [filter, setFilter] = useState('')
  const groups = useMemo(() => (doc.data ? endpointsByTag(doc.data) : []), [doc.data])
  const schemas = doc.data ? schemasOf(doc.data) : {}
  const q = filter.trim().toLowerCase()
  const match = (e: Endpoint) => !q || `${e.method} ${e.path} ${e.op.summary ?? ''}`.toLowerCase().includes(q)

  return (
    <div className="mx-auto max-w-5xl space-y-6 p-4 md:p-6" data-testid="api-docs">
      {doc.isPending && <LoadingBlock />}
      {doc.isError && <ErrorBlock error={doc.error} title="Could not load the API document" />}
      {doc.data && (
        <>
          <header className="space-y-2">
            <h1 className="text-2xl font-semibold">
              {doc.data.info?.title ?? 'API'} <span className="text-sm font-normal text-zinc-500">{doc.data.info?.version}</span>
            </h1>
            <p className="text-sm text-zinc-500">
              Base URL <code className="font-mono">{apiHref('')}</code> · Authenticate with <code className="font-mono">Authorization: Bearer &lt;token&gt;</code> or the session cookie.{' '}
              <a className="text-sky-600 hover:underline dark:text-sky-400" href={apiHref('/openapi.json')} target="_blank" rel="noreferrer">
                Raw document
              </a>
            </p>
            {doc.data.info?.description && <p className="text-sm whitespace-pre-line text-zinc-700 dark:text-zinc-300">{doc.data.info.description}</p>}
            <input
              type="search"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              placeholder="Filter endpoints"
              aria-label="Filter endpoints"
              className="mt-2 block w-full max-w-sm rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
            />
          </header>
          {groups.map(([tag, endpoints]) => {
            const shown = endpoints.filter(match)
            if (shown.length === 0) return null
            return (
              <section key={tag} className="space-y-2">
                <h2 className="text-lg font-semibold capitalize">{tag}</h2>
                {shown.map((e) => (
                  <EndpointView key={`${e.method} ${e.path}`} endpoint={e} />
                ))}
              </section>
            )
          })}
          {Object.keys(schemas).length > 0 && (
            <section className="space-y-2">
              <h2 className="text-lg font-semibold">Schemas</h2>
              {Object.entries(schemas).map(([name, s]) => (
                <details key={name} id={`schema-${name}`} className="rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
                  <summary className="cursor-pointer px-3 py-2 font-mono text-sm">{shortName(name)}</summary>
                  <div className="border-t border-zinc-200 px-3 py-2 dark:border-zinc-800">
                    <SchemaView schema={s} />
                  </div>
                </details>
              ))}
            </section>
          )}
        </>
      )}
    </div>
  )
}

function EndpointView({ endpoint: { method, path, op } }: { endpoint: Endpoint }) {
  const params = (op.parameters ?? []).filter((p) => p.in !== 'body')
  const body = requestSchema(op)
  return (
    <details className="rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900" data-testid="api-endpoint">
      <summary className="flex cursor-pointer items-center gap-3 px-3 py-2">
        <span className={cn('w-16 rounded px-1.5 py-0.5 text-center font-mono text-xs font-semibold text-white uppercase', methodColour[method] ?? 'bg-zinc-600')}>
          {method}
        </span>
        <code className="font-mono text-sm">{path}</code>
        <span className="ml-auto hidden truncate text-sm text-zinc-500 sm:inline">{op.summary}</span>
      </summary>
      <div className="space-y-4 border-t border-zinc-200 px-3 py-3 text-sm dark:border-zinc-800">
        {op.description && <p className="whitespace-pre-line text-zinc-700 dark:text-zinc-300">{op.description}</p>}
        {op.security && op.security.length > 0 && <p className="text-xs text-zinc-500">Requires authentication.</p>}
        {params.length > 0 && (
          <div>
            <h4 className="mb-1 text-xs font-semibold text-zinc-500 uppercase">Parameters</h4>
            <table className="w-full text-left text-xs">
              <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
                {params.map((p) => (
                  <tr key={`${p.in}-${p.name}`}>
                    <td className="py-1 pr-3 font-mono">
                      {p.name}
                      {p.required && <span className="text-red-500">*</span>}
                    </td>
                    <td className="py-1 pr-3 text-zinc-500">{p.in}</td>
                    <td className="py-1 pr-3 font-mono">{p.schema ? <TypeName schema={p.schema} /> : (p.type ?? '')}</td>
                    <td className="py-1 text-zinc-600 dark:text-zinc-400">{p.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {body && (
          <div>
            <h4 className="mb-1 text-xs font-semibold text-zinc-500 uppercase">Request body</h4>
            <SchemaView schema={body} />
          </div>
        )}
        {op.responses && (
          <div>
            <h4 className="mb-1 text-xs font-semibold text-zinc-500 uppercase">Responses</h4>
            <ul className="space-y-1 text-xs">
              {Object.entries(op.responses).map(([code, r]) => {
                const s = responseSchema(r)
                return (
                  <li key={code} className="flex flex-wrap gap-2">
                    <span className={cn('font-mono font-semibold', code.startsWith('2') ? 'text-green-600' : code.startsWith('4') || code.startsWith('5') ? 'text-red-600' : '')}>{code}</span>
                    <span className="text-zinc-600 dark:text-zinc-400">{r.description}</span>
                    {s && (
                      <span className="font-mono">
                        <TypeName schema={s} />
                      </span>
                    )}
                  </li>
                )
              })}
            </ul>
          </div>
        )}
      </div>
    </details>
  )
}

function TypeName({ schema }: { schema: Schema }) {
  if (schema.$ref) {
    const name = refName(schema.$ref)
    return (
      <a href={`#schema-${name}`} className="text-sky-600 hover:underline dark:text-sky-400">
        {shortName(name)}
      </a>
    )
  }
  if (schema.allOf?.length) return <>{schema.allOf.map((s, i) => <TypeName key={i} schema={s} />)}</>
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type
  if (type === 'array' && schema.items) {
    return (
      <>
        <TypeName schema={schema.items} />
        []
      </>
    )
  }
  if (type === 'object' && schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    return (
      <>
        map&lt;string, <TypeName schema={schema.additionalProperties} />&gt;
      </>
    )
  }
  const base = type ?? 'any'
  const suffix = schema.enum ? ` (${schema.enum.map(String).join(' | ')})` : schema.format ? ` (${schema.format})` : ''
  return <>{base + suffix}</>
}

function SchemaView({ schema }: { schema: Schema }) {
  const props = Object.entries(schema.properties ?? {})
  if (props.length === 0) {
    return (
      <p className="font-mono text-xs">
        <TypeName schema={schema} />
        {schema.description && <span className="ml-2 font-sans text-zinc-500">{schema.description}</span>}
      </p>
    )
  }
  const required = new Set(schema.required ?? [])
  return (
    <table className="w-full text-left text-xs">
      <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
        {props.map(([name, p]) => (
          <tr key={name}>
            <td className="py-1 pr-3 align-top font-mono">
              {name}
              {required.has(name) && <span className="text-red-500">*</span>}
            </td>
            <td className="py-1 pr-3 align-top font-mono whitespace-nowrap">
              <TypeName schema={p} />
            </td>
            <td className="py-1 align-top text-zinc-600 dark:text-zinc-400">{p.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
