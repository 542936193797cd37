// Inference faults for local chaos drills (in durable-objects/ beside clock.ts: the API's
// calls and the RegionDO's probes meet the same fault; workerd runs both in one isolate) (`npm run chaos -- fault slow-inference …`,
// through `PUT /__local/faults/inference`): the API's calls to its inference worker wait
// `latencyMs` more, or fail at `errorRate`, as a slow or failing worker would make them.
// The budget, the breaker and shedding then act as they would for real. Only in local
// mode; a deployed region never has the route.
import { z } from "zod";

export const InferenceFault = z.strictObject({
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  errorRate: z.number().min(0).max(1).default(0),
});
export type InferenceFault = z.infer<typeof InferenceFault>;

let fault: InferenceFault = InferenceFault.parse({});

export const inferenceFault = (): InferenceFault => fault;
export function setInferenceFault(next: InferenceFault): void {
  fault = next;
}

/** The fault before a real call: waits, or throws as a failing worker would. Local only. */
export async function injectInferenceFault(local: boolean): Promise<void> {
  if (!local) return;
  const { latencyMs, errorRate } = fault;
  if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
  if (errorRate > 0 && Math.random() < errorRate)
    throw new Error("injected inference failure (npm run chaos)");
}
