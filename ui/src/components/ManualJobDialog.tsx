import { useState } from 'react'
import type { AddJobRequest } from '@/services/jobs'
import type { JobTemplate } from '@/services/templates'
import { errorText } from '@/utils/api'
import { Button } from './Button'
import { KeyValueEditor, mapFromPairs, pairsFromMap, type Pair } from './KeyValueEditor'
import { Modal } from './Modal'
import { DEFAULT_REQUEUE, RequeueFields, requeueRequest, type RequeueSettings } from './RequeueFields'
import { TemplatePicker } from './TemplatePicker'

interface Props {
  templates: JobTemplate[]
  onSubmit: (body: AddJobRequest) => Promise<unknown>
  onClose: () => void
}

const field =
  'mt-1 block w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm focus:border-sky-500 focus:ring-2 focus:ring-sky-500/40 focus:outline-none dark:border-zinc-700 dark:bg-zinc-950'

const REQUIRED = [
  ['owner', 'Owner'],
  ['repo', 'Repository'],
  ['workflow_id', 'Workflow File'],
  ['ref', 'Branch/Ref'],
] as const

type Workflow = Record<(typeof REQUIRED)[number][0], string>

/** A job that is not linked to any template; prepopulating only copies values. */
export function ManualJobDialog({ templates, onSubmit, onClose }: Props) {
  const [showPicker, setShowPicker] = useState(false)
  const [sourceId, setSourceId] = useState<string | null>(null)
  const [name, setName] = useState('')
  const [wf, setWf] = useState<Workflow>({ owner: '', repo: '', workflow_id: '', ref: 'main' })
  const [inputs, setInputs] = useState<Pair[]>([])
  const [labels, setLabels] = useState<Pair[]>([])
  const [requeue, setRequeue] = useState<RequeueSettings>(DEFAULT_REQUEUE)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const prepopulate = (t: JobTemplate) => {
    setSourceId(t.id)
    setWf({ owner: t.owner, repo: t.repo, workflow_id: t.workflow_id, ref: t.ref })
    setInputs(pairsFromMap(t.default_inputs))
    setLabels(pairsFromMap(t.labels))
  }

  const missing = REQUIRED.filter(([k]) => wf[k].trim() === '')
  const submit = async () => {
    if (busy) return
    if (missing.length > 0) {
      setError(`Required: ${missing.map(([, l]) => l).join(', ')}`)
      return
    }
    setBusy(true)
    setError(null)
    const labelMap = mapFromPairs(labels)
    try {
      await onSubmit({
        name: name.trim() || undefined,
        owner: wf.owner.trim(),
        repo: wf.repo.trim(),
        workflow_id: wf.workflow_id.trim(),
        ref: wf.ref.trim(),
        inputs: mapFromPairs(inputs),
        labels: Object.keys(labelMap).length > 0 ? labelMap : undefined,
        ...requeueRequest(requeue),
      })
      onClose()
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal
      open
      onClose={onClose}
      title="Add manual job"
      size="lg"
      testId="manual-job"
      onEnter={() => void submit()}
      footer={
        <>
          {error && (
            <p role="alert" className="mr-auto text-sm text-red-600 dark:text-red-400">
              {error}
            </p>
          )}
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" onClick={() => void submit()} disabled={busy} data-testid="manual-job-submit">
            {busy ? 'Adding…' : 'Add to Queue'}
          </Button>
        </>
      }
    >
      <div className="space-y-4">
        <div>
          <Button size="xs" variant="ghost" onClick={() => setShowPicker((s) => !s)} aria-expanded={showPicker}>
            Prepopulate from Template
          </Button>
          {showPicker && (
            <div className="mt-2">
              <TemplatePicker templates={templates.filter((t) => t.in_config)} selectedId={sourceId} onSelect={prepopulate} />
            </div>
          )}
        </div>
        <label className="block text-sm font-medium">
          Name <span className="font-normal text-zinc-500">(optional)</span>
          <input className={field} value={name} onChange={(e) => setName(e.target.value)} data-testid="manual-name" />
        </label>
        <div className="grid gap-3 sm:grid-cols-2">
          {REQUIRED.map(([k, label]) => (
            <label key={k} className="block text-sm font-medium">
              {label} <span className="text-red-500">*</span>
              <input
                className={`${field} font-mono`}
                value={wf[k]}
                required
                onChange={(e) => setWf((w) => ({ ...w, [k]: e.target.value }))}
                data-testid={`manual-${k}`}
              />
            </label>
          ))}
        </div>
        <KeyValueEditor label="Inputs" pairs={inputs} onChange={setInputs} testId="manual-inputs" />
        <KeyValueEditor label="Labels" pairs={labels} onChange={setLabels} testId="manual-labels" />
        <RequeueFields value={requeue} onChange={setRequeue} />
      </div>
    </Modal>
  )
}
