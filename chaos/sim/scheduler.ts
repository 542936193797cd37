// The fake clock and its task queue: time moves only when the next task is taken, to that
// task's instant; ties run in the order they were scheduled. Bounded, so a runaway model
// fails loudly instead of filling memory.
export type Task = {
  at: number;
  seq: number;
  label: string;
  run: () => unknown;
  /** A cancelled task is dropped when its time comes, without running or counting. */
  cancelled: boolean;
};

/** Tasks waiting at once; far above what a seed schedules. */
export const MAX_PENDING_TASKS = 50_000;

export class Scheduler {
  /** Milliseconds since the run started. */
  now = 0;
  private seq = 0;
  private readonly heap: Task[] = [];

  get pending(): number {
    return this.heap.length;
  }

  at(at: number, label: string, run: () => unknown): Task {
    if (this.heap.length >= MAX_PENDING_TASKS)
      throw new Error(`scheduler: more than ${MAX_PENDING_TASKS} pending tasks (last: ${label})`);
    const task: Task = {
      at: Math.max(at, this.now),
      seq: this.seq++,
      label,
      run,
      cancelled: false,
    };
    const h = this.heap;
    h.push(task);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
    return task;
  }

  after(delayMs: number, label: string, run: () => unknown): Task {
    return this.at(this.now + Math.max(0, delayMs), label, run);
  }

  /** The earliest task still due, with the clock moved to it; null when nothing is left. */
  next(): Task | null {
    for (;;) {
      const task = this.pop();
      if (!task?.cancelled) return task;
    }
  }

  private pop(): Task | null {
    const h = this.heap;
    const top = h[0];
    if (!top) return null;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    this.now = top.at;
    return top;
  }
}

const before = (a: Task, b: Task) => a.at < b.at || (a.at === b.at && a.seq < b.seq);
