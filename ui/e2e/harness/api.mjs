// A small REST client for arranging and checking state behind the browser's
// back: the tests act through the page and verify through the API (or the
// other way round), so a test never trusts the page to check itself.

export class Api {
  /**
   * @param {string} baseUrl server root, e.g. http://127.0.0.1:1234
   * @param {string} token session token
   */
  constructor(baseUrl, token) {
    this.baseUrl = baseUrl
    this.token = token
  }

  /** Signs in with username and password and returns a client for that session. */
  static async login(baseUrl, { username, password }) {
    const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
      signal: AbortSignal.timeout(10_000),
    })
    if (!res.ok) throw new Error(`login ${username}: HTTP ${res.status} ${await res.text()}`)
    const { token } = await res.json()
    return new Api(baseUrl, token)
  }

  async request(method, path, body) {
    const res = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`)
    return text ? JSON.parse(text) : null
  }

  groups() {
    return this.request('GET', '/groups')
  }
  group(id) {
    return this.request('GET', `/groups/${encodeURIComponent(id)}`)
  }
  /** A group with its counters (queued, running, idle and busy runners), which only the list carries. */
  async groupStats(id) {
    const g = (await this.groups()).find((x) => x.id === id)
    if (!g) throw new Error(`group ${id} not in GET /groups`)
    return g
  }
  templates(groupId) {
    return this.request('GET', `/groups/${encodeURIComponent(groupId)}/templates`)
  }
  queue(groupId) {
    return this.request('GET', `/groups/${encodeURIComponent(groupId)}/queue`)
  }
  /** @param {{ template_id?: string, inputs?: Record<string,string>, priority?: number, auto_requeue?: boolean }} body */
  enqueue(groupId, body) {
    return this.request('POST', `/groups/${encodeURIComponent(groupId)}/queue`, body)
  }
  job(id) {
    return this.request('GET', `/jobs/${encodeURIComponent(id)}`)
  }
  pauseJob(id) {
    return this.request('POST', `/jobs/${encodeURIComponent(id)}/pause`)
  }
  pauseGroup(id) {
    return this.request('POST', `/groups/${encodeURIComponent(id)}/pause`)
  }
  unpauseGroup(id) {
    return this.request('POST', `/groups/${encodeURIComponent(id)}/unpause`)
  }
  /** One page of finished jobs; query values may be arrays (repeated keys). */
  history(groupId, query = {}) {
    const q = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) for (const x of [v].flat()) if (x !== undefined) q.append(k, String(x))
    return this.request('GET', `/groups/${encodeURIComponent(groupId)}/history?${q}`)
  }
  runners() {
    return this.request('GET', '/runners')
  }
}
