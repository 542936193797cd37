// The one way a Worker bounds a promise by wall time: `within` settles as the promise does,
// or rejects with a `Timeout` once `ms` have passed. The timer is always cleared, so a
// settled race leaves nothing behind in the isolate. Fetches use `AbortSignal.timeout`.

export class Timeout extends Error {}

export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
