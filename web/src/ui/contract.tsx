// A contract's whole life on the device: draft (its document fingerprint computed here),
// send, the customer's in-person signature on a pad (the stroke image is uploaded and bound
// to the document hash), the vendor's countersignature, and payments with a voucher photo
// compressed on the device. Every step is a queued command; pending steps show at once.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Command } from "../app/commands.ts";
import type { CachedRecord } from "../app/db.ts";
import { sha256Hex, ulid } from "../app/ids.ts";
import { formatAmount, parseAmount } from "../app/money.ts";
import { commands, enqueue, QueueFull } from "../app/outbox.ts";
import { compressPhoto, formatBytes, type Photo } from "../app/photo.ts";
import { cachedRecord, canonicalId, refreshContract, refTo } from "../app/records.ts";
import { api, queued, state, t } from "../app/state.ts";
import { go, useAppState, useAsync } from "./hooks.ts";
import { PendingTag, queueFullMessage, StatusTag } from "./parts.tsx";
import { StoredPhoto } from "./photo.tsx";
import { type PadHandle, SignaturePad } from "./signature-pad.tsx";

type Money = { value: number; currency: string };

export function ContractNew(props: { customerId: string }) {
  const [error, setError] = useState<string | null>(null);
  const customer = useAsync(() => cachedRecord(props.customerId), [props.customerId]);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const title = String(f.get("title") ?? "").trim();
    const value = parseAmount(String(f.get("amount") ?? ""));
    if (value === null) return setError(t("form.invalidAmount"));
    const currency = String(f.get("currency") ?? "CNY");
    const customerId = await canonicalId(props.customerId);
    // The contract document the customer will sign; its SHA-256 binds every signature.
    const document = JSON.stringify({
      customer: String(customer?.data.name ?? ""),
      title,
      amount: { value, currency },
      drafted: new Date().toISOString(),
    });
    const documentHash = await sha256Hex(document);
    const body = {
      id: ulid(),
      customerId: refTo(customerId),
      title,
      amount: { value, currency },
      documentHash,
    };
    try {
      const cmd = await enqueue({ kind: "contract.create", body }, title, [], (id) => ({
        kind: "contract",
        customerId: customerId.startsWith("local:") ? null : customerId,
        data: {
          id: `local:${id}`,
          title,
          amount: body.amount,
          documentHash,
          document,
          status: "draft",
          signatures: [],
          payments: [],
          customerRef: customerId,
        },
      }));
      await queued();
      go(`/contracts/${encodeURIComponent(`local:${cmd.id}`)}`);
    } catch (err) {
      setError(err instanceof QueueFull ? queueFullMessage(err) : String(err));
    }
  };
  return (
    <section class="card">
      <h1>{t("contract.new.title")}</h1>
      {customer && <p class="muted">{String(customer.data.name ?? "")}</p>}
      <form onSubmit={submit}>
        <label>
          {t("contract.title")}
          <input name="title" required maxLength={200} />
        </label>
        <div class="two">
          <label>
            {t("contract.amount")}
            <input name="amount" inputMode="decimal" required />
          </label>
          <label>
            {t("contract.currency")}
            <select name="currency">
              <option>CNY</option>
              <option>EUR</option>
              <option>USD</option>
            </select>
          </label>
        </div>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit">{t("contract.create")}</button>
      </form>
    </section>
  );
}

function touches(c: Command, ids: Set<string>): boolean {
  const ref = (x: unknown) => (typeof x === "string" ? x : `local:${(x as { $ref: string }).$ref}`);
  if (c.kind === "contract.send" || c.kind === "signature.add") return ids.has(ref(c.contractId));
  if (c.kind === "payment.confirm") return ids.has(ref(c.body.contractId));
  return false;
}

export function ContractDetail(props: { id: string }) {
  const s = useAppState();
  useEffect(() => {
    if (s.online && !props.id.startsWith("local:"))
      refreshContract(api, props.id).then(
        () => queued(),
        () => {},
      );
  }, [props.id, s.online, s.pending]);
  const record = useAsync(() => cachedRecord(props.id), [props.id]);
  const related = useAsync(async () => {
    const ids = new Set([props.id, await canonicalId(props.id)]);
    for (const c of await commands())
      if (c.kind === "contract.create" && ids.has(`local:${c.id}`) && c.result?.id)
        ids.add(c.result.id);
    return (await commands()).filter((c) => c.state === "pending" && touches(c, ids));
  }, [props.id]);
  if (record === undefined) return <p class="hint">{t("contract.notFound")}</p>;
  if (record.id !== props.id) {
    go(`/contracts/${encodeURIComponent(record.id)}`);
    return null;
  }
  return <ContractView record={record} pending={related ?? []} />;
}

function ContractView(props: { record: CachedRecord; pending: Command[] }) {
  const s = useAppState();
  const d = props.record.data;
  const amount = d.amount as Money;
  const documentHash = String(d.documentHash ?? "");
  const signatures =
    (d.signatures as Array<{
      party: string;
      signer: { name: string };
      image?: { sha256: string };
    }>) ?? [];
  const payments =
    (d.payments as Array<{
      id: string;
      reference: string;
      amount: Money;
      voucher?: { sha256: string };
    }>) ?? [];
  const pendingSend = props.pending.some((c) => c.kind === "contract.send");
  const pendingSigs = props.pending.filter((c) => c.kind === "signature.add") as Array<
    Extract<Command, { kind: "signature.add" }>
  >;
  const pendingPays = props.pending.filter((c) => c.kind === "payment.confirm") as Array<
    Extract<Command, { kind: "payment.confirm" }>
  >;
  const signed = (party: string) =>
    signatures.some((x) => x.party === party) || pendingSigs.some((c) => c.body.party === party);
  const status = String(d.status ?? "draft");
  const sent = status !== "draft" || pendingSend;
  const contractRef = refTo(props.record.id);
  const [error, setError] = useState<string | null>(null);
  const run = async (f: () => Promise<unknown>) => {
    setError(null);
    try {
      await f();
      await queued();
    } catch (err) {
      setError(
        err instanceof QueueFull
          ? queueFullMessage(err)
          : err instanceof Error
            ? err.message
            : String(err),
      );
    }
  };
  const paid = d.paid as Money | undefined;
  return (
    <section>
      <div class="row">
        <h1>
          {String(d.title ?? "")} {props.record.pendingCommand && <PendingTag />}
        </h1>
        <StatusTag status={status} />
      </div>
      <p>
        {formatAmount(amount.value, amount.currency, s.lang)}
        {paid && (
          <span class="muted">
            {" "}
            ·{" "}
            {t("contract.paid", {
              paid: formatAmount(paid.value, paid.currency, s.lang),
              amount: formatAmount(amount.value, amount.currency, s.lang),
            })}
          </span>
        )}
      </p>
      <p class="muted small">
        {t("contract.document")}: <code>{documentHash.slice(0, 16)}…</code>
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!sent && (
        <button
          type="button"
          onClick={() =>
            run(() =>
              enqueue(
                { kind: "contract.send", contractId: contractRef, body: { documentHash } },
                String(d.title),
              ),
            )
          }
        >
          {t("contract.send")}
        </button>
      )}
      {pendingSend && (
        <p>
          {t("status.sent")} <PendingTag />
        </p>
      )}
      {sent && !signed("customer") && (
        <CustomerSignature
          title={String(d.title)}
          contractRef={contractRef}
          documentHash={documentHash}
          run={run}
        />
      )}
      {signed("customer") && !signed("vendor") && (
        <button
          type="button"
          onClick={() =>
            run(() =>
              enqueue(
                {
                  kind: "signature.add",
                  contractId: contractRef,
                  body: {
                    party: "vendor",
                    signer: { name: state.session?.user.name ?? "Vendor" },
                    documentHash,
                  },
                },
                String(d.title),
              ),
            )
          }
        >
          {t("contract.countersign")}
        </button>
      )}
      <h2>{t("contract.signatures")}</h2>
      <ul class="list" data-testid="signatures">
        {signatures.map((x) => (
          <li key={x.party}>
            {t(x.party === "customer" ? "party.customer" : "party.vendor")}: {x.signer.name}
            {x.image && (
              <StoredPhoto
                sha256={x.image.sha256}
                alt={t("contract.signatureImage", { name: x.signer.name })}
              />
            )}
          </li>
        ))}
        {pendingSigs.map((c) => (
          <li key={c.id}>
            {t(c.body.party === "customer" ? "party.customer" : "party.vendor")}:{" "}
            {c.body.signer.name} <PendingTag />
          </li>
        ))}
      </ul>
      <h2>{t("contract.payments")}</h2>
      <ul class="list" data-testid="payments">
        {payments.map((p) => (
          <li key={p.id}>
            {p.reference} · {formatAmount(p.amount.value, p.amount.currency, s.lang)}
            {p.voucher && (
              <StoredPhoto
                sha256={p.voucher.sha256}
                alt={t("payment.voucherImage", { reference: p.reference })}
              />
            )}
          </li>
        ))}
        {pendingPays.map((c) => (
          <li key={c.id}>
            {c.body.reference} · {formatAmount(c.body.amount.value, c.body.amount.currency, s.lang)}{" "}
            <PendingTag />
          </li>
        ))}
      </ul>
      {signed("customer") && (
        <PaymentForm
          contractRef={contractRef}
          currency={amount.currency}
          title={String(d.title)}
          run={run}
        />
      )}
    </section>
  );
}

function CustomerSignature(props: {
  title: string;
  contractRef: ReturnType<typeof refTo>;
  documentHash: string;
  run: (f: () => Promise<unknown>) => Promise<void>;
}) {
  const pad = useRef<PadHandle | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const name = String(f.get("signer") ?? "").trim();
    const title = String(f.get("signerTitle") ?? "").trim();
    if (!pad.current || pad.current.isEmpty()) return setError(t("contract.signatureEmpty"));
    setError(null);
    void props.run(async () => {
      const blob = await pad.current!.toBlob();
      if (!blob) throw new Error(t("contract.signatureEmpty"));
      const sha256 = await sha256Hex(await blob.arrayBuffer());
      await enqueue(
        {
          kind: "signature.add",
          contractId: props.contractRef,
          body: {
            party: "customer",
            signer: { name, ...(title ? { title } : {}) },
            documentHash: props.documentHash,
            image: { sha256 },
          },
        },
        props.title,
        [{ sha256, blob }],
      );
    });
  };
  return (
    <form class="card" onSubmit={submit}>
      <h2>{t("contract.signCustomer")}</h2>
      <label>
        {t("contract.signerName")}
        <input name="signer" required maxLength={120} />
      </label>
      <label>
        {t("contract.signerTitle")}
        <input name="signerTitle" maxLength={120} />
      </label>
      <SignaturePad onReady={(h) => (pad.current = h)} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit">{t("contract.saveSignature")}</button>
    </form>
  );
}

function PaymentForm(props: {
  contractRef: ReturnType<typeof refTo>;
  currency: string;
  title: string;
  run: (f: () => Promise<unknown>) => Promise<void>;
}) {
  const [photo, setPhoto] = useState<Photo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pick = async (e: Event) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      setPhoto(await compressPhoto(file));
      setError(null);
    } catch {
      // Not an image the browser can decode (or too large even compressed).
      setError(t("problem.unsupported-media-type"));
    }
  };
  const submit = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    const value = parseAmount(String(f.get("amount") ?? ""));
    if (value === null) return setError(t("form.invalidAmount"));
    const reference = String(f.get("reference") ?? "").trim();
    setError(null);
    void props.run(async () => {
      await enqueue(
        {
          kind: "payment.confirm",
          body: {
            contractId: props.contractRef,
            reference,
            amount: { value, currency: props.currency },
            ...(photo ? { voucher: { sha256: photo.sha256 } } : {}),
          },
        },
        reference,
        photo ? [{ sha256: photo.sha256, blob: photo.blob }] : [],
      );
      form.reset();
      setPhoto(null);
    });
  };
  return (
    <form class="card" onSubmit={submit}>
      <h2>{t("payment.new")}</h2>
      <label>
        {t("payment.reference")}
        <input name="reference" required maxLength={256} />
      </label>
      <label>
        {t("payment.amount")} ({props.currency})
        <input name="amount" inputMode="decimal" required />
      </label>
      <label>
        {t("payment.voucher")}
        <input name="voucher" type="file" accept="image/*" capture="environment" onChange={pick} />
      </label>
      {photo && (
        <p class="muted">{t("payment.voucherReady", { size: formatBytes(photo.blob.size) })}</p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit">{t("payment.confirm")}</button>
    </form>
  );
}
