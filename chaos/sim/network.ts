// The fake network between regions: every batch is a request that may be dropped,
// duplicated, delayed (so reordered) or cut by a partition (both ways or one), and whose
// reply faces the same. A sender that crashed never hears back; a receiver that is down
// never sees the request. Nothing here is unbounded: each request ends by reply or timeout.
import type { Random } from "./random.ts";
import type { Scheduler } from "./scheduler.ts";

export type LinkFaults = {
  dropRate: number;
  dupRate: number;
  delayMsMin: number;
  delayMsMax: number;
};

export const NO_LINK_FAULTS: LinkFaults = { dropRate: 0, dupRate: 0, delayMsMin: 1, delayMsMax: 5 };

/** A region as the network sees it. */
export type Endpoint = {
  readonly name: string;
  /** Bumped by every crash: replies and timeouts of an older epoch are lost with it. */
  readonly epoch: number;
  readonly up: boolean;
  /** Handles one request; the status is its reply (2xx: the batch is held). */
  receive(body: string, from: string): Promise<number>;
};

export type NetworkHooks = {
  /** Called as a request reaches a receiver that is up, before it is handled. */
  onDeliver(from: string, to: string, body: string): void;
  trace(line: string): void;
};

export class Network {
  private readonly cut = new Set<string>();
  /** Messages (requests and replies) on the wire. */
  inFlight = 0;
  faults: LinkFaults;

  constructor(
    private readonly sched: Scheduler,
    private readonly rng: Random,
    faults: LinkFaults,
    private readonly endpoints: ReadonlyMap<string, Endpoint>,
    private readonly hooks: NetworkHooks,
  ) {
    this.faults = faults;
  }

  /** Cuts a→b, and b→a unless `oneWay`. */
  partition(a: string, b: string, oneWay: boolean): void {
    this.cut.add(`${a}>${b}`);
    if (!oneWay) this.cut.add(`${b}>${a}`);
  }

  unpartition(a: string, b: string): void {
    this.cut.delete(`${a}>${b}`);
    this.cut.delete(`${b}>${a}`);
  }

  /** Lifts every partition and link fault (delays stay as they were, bounded). */
  heal(): void {
    this.cut.clear();
    this.faults = { ...this.faults, dropRate: 0, dupRate: 0 };
  }

  private passes(from: string, to: string): boolean {
    return !this.cut.has(`${from}>${to}`) && !this.rng.chance(this.faults.dropRate);
  }

  private delay(): number {
    return this.rng.int(this.faults.delayMsMin, this.faults.delayMsMax);
  }

  /**
   * Sends `body` and resolves when a 2xx reply comes back; rejects on a non-2xx reply or
   * when none came within `timeoutMs`. Settles at most once, and never for a sender that
   * crashed since.
   */
  send(from: string, to: string, label: string, body: string, timeoutMs: number): Promise<void> {
    const sender = this.endpoint(from);
    const receiver = this.endpoint(to);
    const epoch = sender.epoch;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled || sender.epoch !== epoch) return;
        settled = true;
        timeout.cancelled = true;
        outcome();
      };
      const timeout = this.sched.after(timeoutMs, `timeout ${label} ${from}→${to}`, () =>
        settle(() => reject(new Error(`${to}: no reply within ${timeoutMs} ms`))),
      );
      if (!this.passes(from, to)) {
        this.hooks.trace(`net: ${label} ${from}→${to} lost`);
        return;
      }
      const copies = this.rng.chance(this.faults.dupRate) ? 2 : 1;
      for (let copy = 0; copy < copies; copy++) {
        this.inFlight++;
        this.sched.after(this.delay(), `deliver ${label} ${from}→${to}`, async () => {
          this.inFlight--;
          // A partition that started while the request was on the wire cuts it too.
          if (!receiver.up || this.cut.has(`${from}>${to}`)) {
            this.hooks.trace(`net: ${label} ${from}→${to} not delivered`);
            return;
          }
          const receiverEpoch = receiver.epoch;
          this.hooks.onDeliver(from, to, body);
          const status = await receiver.receive(body, from);
          if (receiver.epoch !== receiverEpoch) return;
          if (!this.passes(to, from)) {
            this.hooks.trace(`net: reply ${status} to ${label} ${to}→${from} lost`);
            return;
          }
          this.inFlight++;
          this.sched.after(this.delay(), `reply ${label} ${to}→${from}`, () => {
            this.inFlight--;
            settle(() =>
              status >= 200 && status < 300
                ? resolve()
                : reject(new Error(`${to}: HTTP ${status}`)),
            );
          });
        });
      }
    });
  }

  private endpoint(name: string): Endpoint {
    const e = this.endpoints.get(name);
    if (!e) throw new Error(`network: unknown region ${name}`);
    return e;
  }
}
