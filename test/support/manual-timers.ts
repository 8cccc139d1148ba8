// Timers a test fires by hand, for code that takes a `schedule(task, delayMs)` function.

/** Runs `task` after `delayMs`; returns a function that cancels it. */
export type ScheduleFunction = (task: () => void, delayMs: number) => () => void

/** `schedule` to inject; `delays` lists every delay asked for; `fire` runs the pending tasks now. */
export function manualTimers (): { schedule: ScheduleFunction, delays: number[], fire: () => void } {
  let tasks: Array<{ task: () => void, cancelled: boolean }> = []
  const delays: number[] = []
  return {
    delays,
    schedule (task, delayMs) {
      const entry = { task, cancelled: false }
      tasks.push(entry)
      delays.push(delayMs)
      return () => { entry.cancelled = true }
    },
    fire () {
      const due = tasks.filter((t) => !t.cancelled)
      tasks = []
      for (const t of due) t.task()
    }
  }
}
