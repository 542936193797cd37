// What a task call answers: the model's labels and one result per input, or why it cannot.
// A refusal (unknown task, invalid input) is an expected outcome, never an exception.

export type TaskResult<R, E extends string> =
  | { ok: true; task: string; modelVersion: string; labels: string[]; results: R[] }
  | { ok: false; error: E; detail: string };

export const refused = <E extends string>(error: E, detail: string) =>
  ({ ok: false, error, detail }) as const;

export const unknownTask = (task: string) => refused("unknown-task", `no model for task "${task}"`);
