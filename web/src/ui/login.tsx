import { useState } from "preact/hooks";
import { login, t } from "../app/state.ts";
import { go, useAppState } from "./hooks.ts";

export function Login() {
  const s = useAppState();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      const problem = await login(String(form.get("email")), String(form.get("password")));
      if (problem) setError(t("login.failed", { reason: problem }));
      else go("/");
    } catch {
      setError(t("login.offline"));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card narrow">
      <h1>{t("login.title")}</h1>
      {!s.online && <p class="hint">{t("login.offline")}</p>}
      <form onSubmit={submit}>
        <label>
          {t("login.email")}
          <input name="email" type="email" autocomplete="username" required />
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
