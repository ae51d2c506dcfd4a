// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { groupUrlParams, parseGroupUrl } from './urlState'

describe('group URL state', () => {
  it('reads the reference parameter names', () => {
    const s = parseGroupUrl(new URLSearchParams('tab=history&view=grouped&hstatus=failed,bogus,cancelled&hlabel.network=hoodi&tstatus=unlabeled&tlabel.client=geth'))
    expect(s).toEqual({
      tab: 'history',
      view: 'grouped',
      history: { status: ['failed', 'cancelled'], labels: { network: 'hoodi' } },
      templateStatus: 'unlabeled',
      templateLabels: { client: 'geth' },
    })
  })

  it('defaults to the queue tab and linear view, and writes no defaults back', () => {
    const s = parseGroupUrl(new URLSearchParams('tab=nope'))
    expect(s.tab).toBe('queue')
    expect(s.view).toBe('linear')
    expect(groupUrlParams(s).toString()).toBe('')
  })

  it('round-trips', () => {
    const q = 'tab=templates&hstatus=completed&hlabel.a=1&tstatus=auto-requeue&tlabel.b=2'
    expect(groupUrlParams(parseGroupUrl(new URLSearchParams(q))).toString()).toBe(q)
  })
})
