// The world of `dispatchoor demo` (cmd/dispatchoor/demo.go and
// github/sim/demo.go): two groups, each with its own simulated runners and
// templates. Tests name them here, in one place.

import { waitFor } from './wait.mjs'

export const DEMO = {
  sync: {
    id: 'sync',
    // Four runners; sync.yml runs take 10–40 s (simulated), and nine in ten succeed.
    runners: 4,
    // The demo queues the first one at start as an auto-requeue series (limit 5).
    templates: [
      { id: 'sync-geth-prysm', name: 'Sync hoodi: geth/prysm', labels: { el: 'geth' } },
      { id: 'sync-nethermind-lighthouse', name: 'Sync hoodi: nethermind/lighthouse', labels: { el: 'nethermind' } },
      { id: 'sync-besu-teku', name: 'Sync sepolia: besu/teku', labels: { el: 'besu' } },
      { id: 'sync-reth-lodestar', name: 'Sync mainnet: reth/lodestar', labels: { el: 'reth' } },
    ],
  },
  gpu: {
    id: 'gpu',
    // Two runners; bench.yml runs take 15–40 s.
    runners: 2,
    templates: [
      { id: 'bench-llama-7b', name: 'Benchmark llama-7b x8' },
      { id: 'bench-mistral-7b', name: 'Benchmark mistral-7b x16' },
      { id: 'bench-phi-3', name: 'Benchmark phi-3 x32' },
    ],
  },
}

/** The simulated GitHub at ten times real time: a 10–40 s run takes 1–4 s. */
export const FAST = ['--speed', '10']

/** Real time: runs last long enough to act on them while they run. */
export const REAL_TIME = ['--speed', '1']

export const isTerminal = (status) => status === 'completed' || status === 'failed' || status === 'cancelled'

/**
 * Waits until a group has nothing queued or running, so that its history
 * stops changing. The demo's own first jobs include an auto-requeue series.
 */
export async function waitGroupIdle(api, groupId, timeout) {
  await waitFor(
    async () => (await api.queue(groupId)).length === 0,
    { timeout, interval: 250, message: `group ${groupId} to finish its queue` },
  )
}
