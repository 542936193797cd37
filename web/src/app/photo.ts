// Voucher photos are compressed on the device before they are queued: scaled so the long
// side is at most MAX_SIDE pixels and re-encoded as JPEG, which keeps a phone photo of a
// bank slip legible at a few hundred KB (the API takes at most 2 MiB).
import { sha256Hex } from "./ids.ts";

export const MAX_SIDE = 1600;
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;

export type Photo = { blob: Blob; sha256: string };

export async function compressPhoto(file: Blob): Promise<Photo> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const w = Math.max(1, Math.round(bitmap.width * scale));
  const h = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext("2d");
  if (!ctx) throw new Error("no 2d canvas");
  ctx.drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  let quality = 0.82;
  let blob = await canvas.convertToBlob({ type: "image/jpeg", quality });
  while (blob.size > MAX_UPLOAD_BYTES && quality > 0.3) {
    quality -= 0.15;
    blob = await canvas.convertToBlob({ type: "image/jpeg", quality });
  }
  if (blob.size > MAX_UPLOAD_BYTES) throw new Error("photo too large even when compressed");
  return { blob, sha256: await sha256Hex(await blob.arrayBuffer()) };
}

export function formatBytes(n: number): string {
  return n < 1024 * 1024 ? `${Math.ceil(n / 1024)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}
