// One Idempotency-Key per user action, reused when the same action is retried: a click
// that timed out, hit a 5xx or a read-only pause sends the same key again, so the server
// applies it once; a definitive answer (2xx, 4xx) or a changed body mints a new one.
// Shared by the portal and the group workbench.
import { ulid } from "../app/ids.ts";

export class ActionKey {
  private last: { body: string; key: string } | null = null;

  constructor(private readonly mint: () => string = () => ulid()) {}

  /** The key for sending `body` now. */
  for(body: unknown): string {
    const text = JSON.stringify(body) ?? "";
    if (this.last?.body !== text) this.last = { body: text, key: this.mint() };
    return this.last.key;
  }

  /** Records how the attempt ended: anything but a retryable answer closes the action. */
  settle(status: number | null): void {
    if (status !== null && isDefinitive(status)) this.last = null;
  }
}

/** 2xx and 4xx are the server's decision; 408, 425, 429 and 5xx (and no answer) are retried. */
export function isDefinitive(status: number): boolean {
  return status < 500 && status !== 408 && status !== 425 && status !== 429;
}
