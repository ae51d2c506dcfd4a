import { useState } from 'react'
import type { AddJobRequest } from '@/services/jobs'
import { templateTitle, type JobTemplate } from '@/services/templates'
import { errorText } from '@/utils/api'
import { LabelChip } from './Badge'
import { Button } from './Button'
import { Modal } from './Modal'
import { DEFAULT_REQUEUE, RequeueFields, requeueRequest, type RequeueSettings } from './RequeueFields'
import { TemplatePicker } from './TemplatePicker'

interface Props {
  templates: JobTemplate[]
  initialTemplateId?: string | null
  /** Templates that already have a queued auto-requeue job. */
  autoRequeueTemplates: Set<string>
  onSubmit: (body: AddJobRequest) => Promise<unknown>
  onClose: () => void
}

const field =
  'block w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 font-mono text-xs focus:border-sky-500 focus:ring-2 focus:ring-sky-500/40 focus:outline-none dark:border-zinc-700 dark:bg-zinc-950'

export function AddFromTemplateDialog({ templates, initialTemplateId, autoRequeueTemplates, onSubmit, onClose }: Props) {
  const choices = templates.filter((t) => t.in_config)
  const [selected, setSelected] = useState<JobTemplate | null>(() => choices.find((t) => t.id === initialTemplateId) ?? null)
  const [inputs, setInputs] = useState<Record<string, string>>(() => ({ ...(selected?.default_inputs ?? {}) }))
  const [requeue, setRequeue] = useState<RequeueSettings>(DEFAULT_REQUEUE)
  const [acknowledged, setAcknowledged] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const pick = (t: JobTemplate) => {
    setSelected(t)
    setInputs({ ...(t.default_inputs ?? {}) })
    setAcknowledged(false)
  }

  const duplicate = !!selected && autoRequeueTemplates.has(selected.id)
  const blocked = !selected || busy || (duplicate && !acknowledged)

  const submit = async () => {
    if (blocked || !selected) return
    setBusy(true)
    setError(null)
    try {
      await onSubmit({ template_id: selected.id, inputs: { ...(selected.default_inputs ?? {}), ...inputs }, ...requeueRequest(requeue) })
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
      title="Add job from template"
      size="lg"
      testId="add-from-template"
      onEnter={() => void submit()}
      footer={
        <>
          {error && (
            <p role="alert" className="mr-auto text-sm text-red-600 dark:text-red-400">
              {error}
            </p>
          )}
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" onClick={() => void submit()} disabled={blocked} data-testid="add-job-submit">
            {busy ? 'Adding…' : 'Add to Queue'}
          </Button>
        </>
      }
    >
      <div className="space-y-4">
        <TemplatePicker templates={choices} selectedId={selected?.id ?? null} onSelect={pick} />
        {selected && (
          <div className="space-y-4">
            <div className="rounded-md bg-zinc-50 p-3 text-xs dark:bg-zinc-800/50">
              <p className="font-medium text-sm">{templateTitle(selected)}</p>
              <p className="mt-1 font-mono text-zinc-500">
                {selected.owner}/{selected.repo} · {selected.workflow_id}@{selected.ref}
              </p>
              {Object.keys(selected.labels ?? {}).length > 0 && (
                <div className="mt-2 flex flex-wrap gap-1">
                  {Object.entries(selected.labels ?? {}).map(([k, v]) => (
                    <LabelChip key={k}>
                      {k}: {v}
                    </LabelChip>
                  ))}
                </div>
              )}
            </div>
            {Object.keys(inputs).length > 0 && (
              <fieldset className="space-y-2">
                <legend className="text-sm font-medium">Workflow Inputs</legend>
                {Object.entries(inputs).map(([k, v]) => (
                  <label key={k} className="block">
                    <span className="font-mono text-xs text-zinc-500">{k}</span>
                    {v.length > 100 ? (
                      <textarea className={`${field} min-h-24`} value={v} onChange={(e) => setInputs((d) => ({ ...d, [k]: e.target.value }))} />
                    ) : (
                      <input className={field} value={v} onChange={(e) => setInputs((d) => ({ ...d, [k]: e.target.value }))} />
                    )}
                  </label>
                ))}
              </fieldset>
            )}
            <RequeueFields value={requeue} onChange={setRequeue} />
            {duplicate && (
              <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200" data-testid="duplicate-warning">
                <p>This template already has an auto-requeue job in the queue.</p>
                <label className="mt-2 flex items-center gap-2">
                  <input type="checkbox" className="accent-amber-600" checked={acknowledged} onChange={(e) => setAcknowledged(e.target.checked)} />
                  I understand, add anyway
                </label>
              </div>
            )}
          </div>
        )}
      </div>
    </Modal>
  )
}
