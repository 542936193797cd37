// A stored photo (voucher or signature image) by its SHA-256: from the device while its
// command waits in the outbox, else from the region (authenticated, so fetched, not linked).
import { useEffect, useState } from "preact/hooks";
import { db } from "../app/db.ts";
import { api } from "../app/state.ts";

export function StoredPhoto(props: { sha256: string; alt: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let made: string | null = null;
    (async () => {
      const local = await (await db()).get("files", props.sha256);
      let blob: Blob | null = local?.blob ?? null;
      if (!blob) {
        const a = await api.request({ method: "GET", path: `/v1/files/${props.sha256}` });
        if (a.status === 200 && a.body instanceof Blob) blob = a.body;
      }
      if (blob && live) {
        made = URL.createObjectURL(blob);
        setUrl(made);
      }
    })().catch(() => {});
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [props.sha256]);
  return url ? <img class="photo" src={url} alt={props.alt} /> : null;
}
