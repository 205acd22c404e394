/** What the calendar's setup builds: its clock, the durable scheduler and the attendee reminders on it. */
import type { Scheduler } from '../../runtime/scheduler/index.js'
import type { Reminders } from './reminders.js'

export interface CalendarState {
  readonly now: () => number
  readonly scheduler: Scheduler
  readonly reminders: Reminders
}
