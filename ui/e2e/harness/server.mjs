// Starting and stopping the real dispatchoor binary. Each test gets its own
// process on a free loopback port with its own data directory, and stops it
// by PID.

import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serverConfig } from './config.mjs'
import { waitFor } from './wait.mjs'

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

/** The binary under test: $DISPATCHOOR_BIN, else bin/dispatchoor as `make build` writes it. */
export function binaryPath() {
  return process.env.DISPATCHOOR_BIN || join(repoRoot, 'bin', 'dispatchoor')
}

/**
 * Builds the binary with `make build` when it is missing, so the suite also
 * runs on its own (`npm run e2e`) in a fresh clone. `make test-e2e` builds
 * first, which keeps the embedded dashboard current.
 */
export function ensureBinary() {
  const bin = binaryPath()
  if (existsSync(bin)) return bin
  if (process.env.DISPATCHOOR_BIN) throw new Error(`DISPATCHOOR_BIN=${bin} does not exist`)
  const res = spawnSync('make', ['build'], { cwd: repoRoot, stdio: 'inherit' })
  if (res.status !== 0 || !existsSync(bin)) throw new Error(`make build failed (exit ${res.status}); ${bin} is missing`)
  return bin
}

/**
 * A free TCP port on 127.0.0.1. The port is released before the server binds
 * it; another process could take it in between, which start() reports as a
 * server that exited early.
 */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolvePort(port))
    })
  })
}

const START_TIMEOUT = 20_000
const STOP_TIMEOUT = 20_000

/**
 * One dispatchoor process. `server` mode runs `dispatchoor server` with a
 * generated config; `demo` mode runs `dispatchoor demo`, the server with the
 * built-in GitHub simulator.
 */
export class ServerProcess {
  /**
   * @param {{ mode?: 'server' | 'demo', configOptions?: object, demoArgs?: string[] }} [opts]
   */
  constructor({ mode = 'server', configOptions = {}, demoArgs = [] } = {}) {
    this.mode = mode
    this.configOptions = configOptions
    this.demoArgs = demoArgs
    this.root = mkdtempSync(join(tmpdir(), 'dispatchoor-e2e-'))
    this.dataDir = join(this.root, 'data')
    this.logPath = join(this.root, 'server.log')
    /** @type {import('node:child_process').ChildProcess | null} */
    this.child = null
    this.exited = null
    this.port = 0
  }

  get url() {
    return `http://127.0.0.1:${this.port}`
  }

  /** Starts the process (on the same port and data directory as before, if it ran already) and waits for /health. */
  async start() {
    const bin = ensureBinary()
    if (!this.port) this.port = await freePort()
    const listen = `127.0.0.1:${this.port}`
    let args
    if (this.mode === 'demo') {
      args = ['demo', '--listen', listen, '--data', this.dataDir, ...this.demoArgs]
    } else {
      const configPath = join(this.root, 'config.toml')
      writeFileSync(configPath, serverConfig({ listen, dataDir: this.dataDir, ...this.configOptions }))
      args = ['server', '--config', configPath]
    }
    const log = openSync(this.logPath, 'a')
    const child = spawn(bin, args, { cwd: this.root, stdio: ['ignore', log, log] })
    closeSync(log)
    this.child = child
    this.exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })))
    let gone = null
    this.exited.then((e) => (gone = e))
    await waitFor(
      async () => {
        if (gone) throw new Error(`server exited early (${gone.signal ?? `code ${gone.code}`})`)
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(1_000) })
        return res.ok
      },
      { timeout: START_TIMEOUT, interval: 100, message: `${this.url}/health` },
    ).catch((err) => {
      throw this.withLog(err)
    })
  }

  /**
   * Stops the process with SIGTERM (a clean shutdown) and waits for it,
   * with SIGKILL if it hangs. A server that had already died, or that does
   * not exit 0, is an error: the test may have passed against a crash.
   */
  async stop() {
    const child = this.child
    if (!child) return
    this.child = null
    let timer
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid, 'SIGTERM')
      timer = setTimeout(() => child.exitCode === null && process.kill(child.pid, 'SIGKILL'), STOP_TIMEOUT)
    }
    const { code, signal } = await this.exited
    clearTimeout(timer)
    if (code !== 0) throw this.withLog(new Error(`server did not stop cleanly (${signal ?? `exit ${code}`})`))
  }

  /** Stops the server if it runs and removes its directory; keeps the directory when keep is set. */
  async dispose({ keep = false } = {}) {
    try {
      await this.stop()
    } finally {
      if (!keep) rmSync(this.root, { recursive: true, force: true })
    }
  }

  /** The last lines of the server's output. */
  logTail(lines = 40) {
    try {
      return readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
    } catch {
      return '(no log)'
    }
  }

  /** Adds the server log to an error, where it usually explains a failure. */
  withLog(err) {
    err.message += `\n--- ${this.logPath} (tail) ---\n${this.logTail()}`
    return err
  }
}
