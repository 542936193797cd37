// The frame around every screen: header (app name, serving region, language, log out),
// the banners (offline with the outbox count, unreachable, degraded modes) and the nav.
import type { ComponentChildren } from "preact";
import { isKey } from "../app/i18n.ts";
import { cachedGroups } from "../app/records.ts";
import { logout, setLang, t } from "../app/state.ts";
import { useAppState, useAsync } from "./hooks.ts";

export function Shell(props: { route: string; children: ComponentChildren }) {
  const s = useAppState();
  const userId = s.session?.user.id ?? "";
  // Group members get the workbench (the list refreshes the groups when it loads).
  const inGroup = (useAsync(() => cachedGroups(userId), [userId])?.length ?? 0) > 0;
  const modes = s.degraded
    .map((m) => (isKey(`mode.${m}`) ? t(`mode.${m}` as Parameters<typeof t>[0]) : m))
    .join(", ");
  const tab = (path: string, label: string, extra?: ComponentChildren) => {
    const current =
      path === "/"
        ? props.route === "/" ||
          props.route.startsWith("/customers") ||
          props.route.startsWith("/contracts")
        : props.route.startsWith(path) ||
          (path === "/groups" && props.route.startsWith("/change-requests"));
    return (
      <a href={`#${path}`} aria-current={current ? "page" : undefined}>
        {label}
        {extra}
      </a>
    );
  };
  return (
    <div class="app">
      <header class="top">
        <span class="brand">{t("appName")}</span>
        <span class="region" data-testid="region" aria-live="polite">
          {s.region ? t("region.servedBy", { region: s.region }) : t("region.none")}
        </span>
        <button
          type="button"
          class="link"
          lang={s.lang === "en" ? "zh-CN" : "en"}
          aria-label={`${t("nav.language")} — ${t("nav.languageLabel")}`}
          onClick={() => void setLang(s.lang === "en" ? "zh-CN" : "en")}
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
          <p class="banner offline" role="status" data-testid="offline-banner">
            {s.pending > 0 ? t("banner.offline", { count: s.pending }) : t("banner.offlineEmpty")}
          </p>
        )}
        {s.online && s.unreachable && (
          <p class="banner offline" role="status">
            {t("banner.unreachable", { count: s.pending })}
          </p>
        )}
        {s.online && !s.unreachable && s.syncing && s.pending > 0 && (
          <p class="banner offline" role="status">
            {t("banner.syncing", { count: s.pending })}
          </p>
        )}
        {s.degraded.length > 0 && (
          <p class="banner degraded" role="status" data-testid="degraded-banner">
            {t("banner.degraded", { what: modes })}
          </p>
        )}
        {s.notice && (
          <p class="banner notice" role="status">
            {s.notice}
          </p>
        )}
      </div>
      {s.session && (
        <nav class="tabs" aria-label="main">
          {tab("/", t("nav.customers"))}
          {inGroup && tab("/groups", t("nav.groups"))}
          {tab("/insights", t("nav.insights"))}
          {tab(
            "/outbox",
            t("nav.queue"),
            s.pending > 0 ? (
              <span class="count" data-testid="pending-count">
                {s.pending}
              </span>
            ) : null,
          )}
        </nav>
      )}
      <main id="main">{props.children}</main>
    </div>
  );
}
