/** Pretty-prints JSON-looking strings so long payload inputs stay readable. */
export function prettyValue(value: string): { text: string; json: boolean } {
  const trimmed = value.trim()
  if ((trimmed.startsWith('{') && trimmed.endsWith('}')) || (trimmed.startsWith('[') && trimmed.endsWith(']'))) {
    try {
      return { text: JSON.stringify(JSON.parse(trimmed), null, 2), json: true }
    } catch {
      // Not JSON after all.
    }
  }
  return { text: value, json: false }
}

export function InputValue({ value }: { value: string }) {
  const { text, json } = prettyValue(value)
  if (json || text.length > 80) {
    return (
      <pre className="max-h-48 overflow-auto rounded bg-zinc-50 p-1.5 font-mono text-[11px] whitespace-pre-wrap dark:bg-zinc-800/60">{text}</pre>
    )
  }
  return <span className="font-mono break-all">{text === '' ? <em className="text-zinc-400">empty</em> : text}</span>
}
