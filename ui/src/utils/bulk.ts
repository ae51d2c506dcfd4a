// Runs one call per item in parallel and reports progress as calls settle.

export interface BulkResult<T> {
  succeeded: T[]
  failed: { item: T; error: unknown }[]
}

export async function runBulk<T>(
  items: readonly T[],
  call: (item: T) => Promise<unknown>,
  onProgress?: (done: number, total: number) => void,
): Promise<BulkResult<T>> {
  let done = 0
  const result: BulkResult<T> = { succeeded: [], failed: [] }
  onProgress?.(0, items.length)
  await Promise.all(
    items.map(async (item) => {
      try {
        await call(item)
        result.succeeded.push(item)
      } catch (error) {
        result.failed.push({ item, error })
      } finally {
        done++
        onProgress?.(done, items.length)
      }
    }),
  )
  return result
}
