/// <reference types="vitest/config" />
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import react from '@vitejs/plugin-react'
import tailwindcss from '@tailwindcss/vite'

// The Go server listens on 9090 by default; the dev server forwards API,
// WebSocket, health and metrics traffic there so that cookies stay same-origin.
const backend = 'http://127.0.0.1:9090'

// Vite empties dist/ before each build, but the committed dist/.placeholder
// must survive: it keeps `//go:embed all:dist` compiling on clones without a
// UI build. Writing it back after the bundle keeps the work tree clean.
function keepEmbedPlaceholder(): Plugin {
  return {
    name: 'keep-embed-placeholder',
    apply: 'build',
    closeBundle() {
      writeFileSync(fileURLToPath(new URL('./dist/.placeholder', import.meta.url)), '')
    },
  }
}

export default defineConfig({
  plugins: [react(), tailwindcss(), keepEmbedPlaceholder()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: backend, ws: true, changeOrigin: false },
      '/health': backend,
      '/metrics': backend,
    },
  },
  preview: { host: '127.0.0.1' },
  build: {
    // Hashed file names under /assets/ (the Vite default) let the Go server
    // cache them forever and fall back to index.html for everything else.
    assetsDir: 'assets',
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    testTimeout: 10000,
    css: false,
  },
})
