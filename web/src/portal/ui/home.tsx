// Home: the query box ("ask about your orders") above the customer's orders, each with its
// stage and status.
import type { PortalList } from "../api-types.ts";
import { t } from "../state.ts";
import { useLoad, usePortal } from "./hooks.ts";
import { FailureNote, Loading } from "./parts.tsx";
import { QueryBox } from "./query.tsx";
import { ContractRow, contractTitle } from "./records.tsx";

export function Home() {
  const s = usePortal();
  const list = useLoad<PortalList<"contract">>("/v1/portal/contracts");
  const titles = new Map((list.data?.items ?? []).map((c) => [c.id, contractTitle(c)]));
  return (
    <section>
      {s.me?.user.name && <p class="muted">{t("home.welcome", { name: s.me.user.name })}</p>}
      {s.me?.actions.includes("query") && <QueryBox titles={titles} />}
      <h1>{t("home.title")}</h1>
      {list.loading && !list.data && <Loading />}
      {list.failure && <FailureNote failure={list.failure} retry={list.reload} />}
      {list.data && list.data.items.length === 0 && <p class="hint">{t("home.empty")}</p>}
      {list.data && list.data.items.length > 0 && (
        <ul class="list" data-testid="orders">
          {list.data.items.map((c) => (
            <ContractRow key={c.id} contract={c} />
          ))}
        </ul>
      )}
    </section>
  );
}
