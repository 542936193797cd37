// The portal's frame: header (who is signed in, language, log out), the banners (offline,
// changes paused, a notice for this screen) and the nav; a skip link for keyboard users.
import type { ComponentChildren } from "preact";
import { logout, setLang, t } from "../state.ts";
import { type Route, usePortal } from "./hooks.ts";

export function Shell(props: { route: Route; children: ComponentChildren }) {
  const s = usePortal();
  const path = props.route.path;
  const notice = s.notice && (s.notice.route === null || s.notice.route === path) ? s.notice : null;
  const tab = (href: string, label: string, current: boolean) => (
    <a href={`#${href}`} aria-current={current ? "page" : undefined}>
      {label}
    </a>
  );
  return (
    <div class="app">
      <button type="button" class="skip" onClick={skipToMain}>
        {t("nav.skip")}
      </button>
      <header class="top">
        <span class="brand">{t("appName")}</span>
        {s.session && (s.me?.customer.name ?? s.session.user.name) && (
          <span class="region" data-testid="customer-name">
            {s.me?.customer.name ?? s.session.user.name}
          </span>
        )}
        <button
          type="button"
          class="link"
          lang={s.lang === "en" ? "zh-CN" : "en"}
          aria-label={`${t("nav.language")} — ${t("nav.languageLabel")}`}
          onClick={() => setLang(s.lang === "en" ? "zh-CN" : "en")}
        >
          {t("nav.language")}
        </button>
        {s.session && (
          <button type="button" class="link" onClick={() => void logout()}>
            {t("nav.logout")}
          </button>
        )}
      </header>
      <div aria-live="polite">
        {!s.online && (
          <p class="banner offline" role="status">
            {t("banner.offline")}
          </p>
        )}
        {s.session && s.readOnly && (
          <p class="banner degraded" role="status" data-testid="read-only-banner">
            {t("banner.readOnly")}
          </p>
        )}
        {notice && (
          <p class={`banner ${notice.tone === "alert" ? "notice" : "done"}`} role="status">
            {notice.text}
          </p>
        )}
      </div>
      {s.session && (
        <nav class="tabs" aria-label={t("nav.main")}>
          {tab("/", t("nav.orders"), path === "/" || path.startsWith("/contracts"))}
          {tab("/change-requests", t("nav.changeRequests"), path.startsWith("/change-requests"))}
        </nav>
      )}
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </div>
  );
}

/** Hash routing owns the fragment: skipping moves focus instead of navigating to #main. */
function skipToMain(): void {
  document.getElementById("main")?.focus();
}
