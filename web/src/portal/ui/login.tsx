// Signing in (customer users, the portal's own audience) and accepting an invitation:
// choose a password, then sign in with it.
import { useState } from "preact/hooks";
import type { PortalSession } from "../api-types.ts";
import { problemCode, retryAfterSeconds, Unreachable } from "../client.ts";
import { endSession, request, startSession, t, update } from "../state.ts";
import { go } from "./hooks.ts";
import { replyMessage } from "./parts.tsx";

/** The server's minimum (POST /v1/portal/auth/accept answers 400 below it). */
export const MIN_PASSWORD = 10;

export function Login() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      const r = await request(
        {
          method: "POST",
          path: "/v1/portal/auth/login",
          json: { email: String(f.get("email") ?? "").trim(), password: String(f.get("password")) },
        },
        false,
      );
      if (r.status === 200) startSession(r.body as PortalSession);
      else if (r.status === 401) setError(t("login.failed"));
      else if (r.status === 429)
        setError(
          t("common.rateLimited", { seconds: retryAfterSeconds(r.headers, Date.now()) ?? 30 }),
        );
      else setError(replyMessage(r));
    } catch (err) {
      if (!(err instanceof Unreachable)) throw err;
      setError(t("common.unreachable"));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card narrow">
      <h1>{t("login.title")}</h1>
      <p class="muted">{t("login.intro")}</p>
      <form onSubmit={submit}>
        <label>
          {t("login.email")}
          <input name="email" type="email" autocomplete="username" required maxLength={254} />
        </label>
        <label>
          {t("login.password")}
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {t("login.submit")}
        </button>
      </form>
    </section>
  );
}

export function Accept(props: { code: string | null }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!props.code)
    return (
      <section class="card narrow">
        <h1>{t("accept.title")}</h1>
        <p class="error" role="alert">
          {t("accept.noCode")}
        </p>
      </section>
    );
  const code = props.code;
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const password = String(f.get("password") ?? "");
    if (password !== String(f.get("confirm") ?? "")) return setError(t("accept.mismatch"));
    setBusy(true);
    setError(null);
    try {
      const r = await request(
        { method: "POST", path: "/v1/portal/auth/accept", json: { code, password } },
        false,
      );
      if (r.status === 204 || r.status === 200) {
        // Whoever was signed in here, the invitation's user signs in next.
        endSession();
        update({ notice: { text: t("login.accepted"), route: "/login", tone: "info" } });
        go("/login");
      } else if (r.status === 404 || problemCode(r.body) === "invitation-not-found")
        setError(t("accept.notFound"));
      else setError(replyMessage(r));
    } catch (err) {
      if (!(err instanceof Unreachable)) throw err;
      setError(t("common.unreachable"));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card narrow">
      <h1>{t("accept.title")}</h1>
      <p class="muted" id="password-rule">
        {t("accept.intro", { min: MIN_PASSWORD })}
      </p>
      <form onSubmit={submit}>
        <label>
          {t("accept.password")}
          <input
            name="password"
            type="password"
            autocomplete="new-password"
            required
            minLength={MIN_PASSWORD}
            maxLength={1024}
            aria-describedby="password-rule"
          />
        </label>
        <label>
          {t("accept.confirm")}
          <input
            name="confirm"
            type="password"
            autocomplete="new-password"
            required
            minLength={MIN_PASSWORD}
            maxLength={1024}
          />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {t("accept.submit")}
        </button>
      </form>
    </section>
  );
}
