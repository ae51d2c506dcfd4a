import {
  closestCenter,
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
  type DragEndEvent,
} from '@dnd-kit/core'
import {
  arrayMove,
  SortableContext,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from '@dnd-kit/sortable'
import { CSS } from '@dnd-kit/utilities'
import type { ReactNode } from 'react'
import type { Job } from '@/services/jobs'
import { Icon } from './Icon'

interface Props {
  jobs: Job[]
  enabled: boolean
  /** The full pending id list in its new order. */
  onReorder: (ids: string[]) => void
  renderCard: (job: Job, dragHandle: ReactNode) => ReactNode
}

/** Pending jobs, reorderable by pointer or keyboard (Space to lift, arrows, Space to drop). */
export function SortableJobList({ jobs, enabled, onReorder, renderCard }: Props) {
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  )
  const ids = jobs.map((j) => j.id)

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over || active.id === over.id) return
    const from = ids.indexOf(String(active.id))
    const to = ids.indexOf(String(over.id))
    if (from < 0 || to < 0) return
    onReorder(arrayMove(ids, from, to))
  }

  if (!enabled) {
    return <ul className="space-y-2">{jobs.map((j) => <li key={j.id}>{renderCard(j, null)}</li>)}</ul>
  }
  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCenter}
      onDragEnd={onDragEnd}
      accessibility={{
        screenReaderInstructions: {
          draggable: 'To reorder, press Space or Enter, move with the arrow keys, then press Space or Enter to drop, or Escape to cancel.',
        },
      }}
    >
      <SortableContext items={ids} strategy={verticalListSortingStrategy}>
        <ul className="space-y-2">
          {jobs.map((j) => (
            <SortableItem key={j.id} job={j} renderCard={renderCard} />
          ))}
        </ul>
      </SortableContext>
    </DndContext>
  )
}

function SortableItem({ job, renderCard }: { job: Job; renderCard: Props['renderCard'] }) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id: job.id })
  const handle = (
    <button
      type="button"
      ref={setActivatorNodeRef}
      {...attributes}
      {...listeners}
      aria-label="Drag to reorder"
      data-testid="drag-handle"
      className="mt-0.5 cursor-grab touch-none rounded p-0.5 text-zinc-400 hover:text-zinc-700 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none active:cursor-grabbing dark:hover:text-zinc-200"
    >
      <Icon name="grip" />
    </button>
  )
  return (
    <li
      ref={setNodeRef}
      style={{ transform: CSS.Transform.toString(transform), transition }}
      className={isDragging ? 'relative z-10 opacity-80 shadow-lg' : undefined}
    >
      {renderCard(job, handle)}
    </li>
  )
}
