// Measures what a first visit to the dashboard costs, against the real binary
// on loopback in headless Chromium:
//
//   - JavaScript over the wire: every script the dashboard's first page loads,
//     fetched again exactly as the binary serves it to `Accept-Encoding: br, gzip`,
//     compressed bytes summed (target ≤ 300 KB);
//   - first render: navigation start → the dashboard's group cards visible,
//     signed in, with a cold HTTP cache (target ≤ 1 s).
//
// Run with `npm run perf` after `make build`. It prints the figures; it exits
// non-zero only when the JavaScript budget is exceeded, because the size is
// deterministic and the time depends on the machine's load.

import { request } from 'node:http'
import { launchBrowser, signIn } from './harness/browser.mjs'
import { GROUP, USERS } from './harness/config.mjs'
import { ServerProcess } from './harness/server.mjs'

const JS_BUDGET = 300 * 1024
const RENDER_BUDGET_MS = 1000
const RUNS = 5

/** Compressed size and encoding of one response, as the server sends it. */
function wireSize(url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { 'Accept-Encoding': 'br, gzip' }, timeout: 10_000 }, (res) => {
      let bytes = 0
      res.on('data', (chunk) => (bytes += chunk.length))
      res.on('end', () =>
        res.statusCode === 200
          ? resolve({ bytes, encoding: res.headers['content-encoding'] ?? 'identity' })
          : reject(new Error(`GET ${url}: HTTP ${res.statusCode}`)),
      )
    })
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timeout`)))
    req.on('error', reject)
    req.end()
  })
}

// Runs in the page before any of its scripts: notes when the first group
// card is laid out, in ms since navigation start (performance.now's origin).
function watchFirstCard() {
  const check = () => {
    const card = document.querySelector('[data-testid="group-card"]')
    if (card && card.getBoundingClientRect().height > 0 && window.__firstCardAt === undefined) {
      window.__firstCardAt = performance.now()
      observer.disconnect()
    }
  }
  const observer = new MutationObserver(check)
  observer.observe(document, { subtree: true, childList: true })
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function main() {
  const server = new ServerProcess()
  let browser
  try {
    await server.start()
    browser = await launchBrowser()
    const { page, context } = browser
    await signIn(page, server.url, USERS.admin)

    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    await page.addInitScript(watchFirstCard)

    const scripts = new Set()
    page.on('response', (r) => r.request().resourceType() === 'script' && scripts.add(r.url()))
    const times = []
    for (let i = 0; i < RUNS; i++) {
      await cdp.send('Network.clearBrowserCache')
      await page.goto(server.url + '/')
      await page.locator(`[data-testid="group-card"][data-group-id="${GROUP.id}"]`).waitFor()
      times.push(await page.evaluate(() => window.__firstCardAt))
    }

    let total = 0
    let raw = 0
    const lines = []
    for (const url of [...scripts].sort()) {
      const { bytes, encoding } = await wireSize(url)
      const plain = Number((await fetch(url, { headers: { 'Accept-Encoding': 'identity' } })).headers.get('content-length'))
      total += bytes
      raw += plain
      lines.push(`  ${new URL(url).pathname}  ${kb(bytes)} ${encoding} (${kb(plain)} uncompressed)`)
    }
    const jsOk = total <= JS_BUDGET
    const renderMs = median(times)
    console.log(`JavaScript for the first page: ${scripts.size} file(s), ${kb(total)} over the wire (${kb(raw)} uncompressed); budget ${kb(JS_BUDGET)}: ${jsOk ? 'ok' : 'OVER'}`)
    for (const l of lines) console.log(l)
    console.log(
      `First render (navigation start → group cards visible, cold cache, loopback): median ${renderMs.toFixed(0)} ms of ${RUNS} ` +
        `(min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}); budget ${RENDER_BUDGET_MS} ms: ${renderMs <= RENDER_BUDGET_MS ? 'ok' : 'OVER'}`,
    )
    if (!jsOk) process.exitCode = 1
  } finally {
    await browser?.close()
    await server.dispose()
  }
}

await main()
