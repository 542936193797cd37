// A signature pad on a canvas: pointer strokes (finger, pen or mouse), cleared on demand,
// exported as a PNG of the strokes. Keyboard users get the same buttons; the canvas has a
// label, and the save button says when nothing was drawn.
import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../app/state.ts";

export type PadHandle = { toBlob(): Promise<Blob | null>; isEmpty(): boolean };

export function SignaturePad(props: { onReady: (h: PadHandle) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [drawn, setDrawn] = useState(false);
  useEffect(() => {
    const c = canvas.current!;
    const ratio = window.devicePixelRatio || 1;
    c.width = c.clientWidth * ratio;
    c.height = c.clientHeight * ratio;
    const ctx = c.getContext("2d")!;
    ctx.scale(ratio, ratio);
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";
    let down = false;
    const at = (e: PointerEvent) => {
      const r = c.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top] as const;
    };
    const start = (e: PointerEvent) => {
      down = true;
      c.setPointerCapture(e.pointerId);
      const [x, y] = at(e);
      ctx.beginPath();
      ctx.moveTo(x, y);
    };
    const move = (e: PointerEvent) => {
      if (!down) return;
      const [x, y] = at(e);
      ctx.lineTo(x, y);
      ctx.stroke();
      setDrawn(true);
    };
    const end = () => {
      down = false;
    };
    c.addEventListener("pointerdown", start);
    c.addEventListener("pointermove", move);
    c.addEventListener("pointerup", end);
    c.addEventListener("pointercancel", end);
    return () => {
      c.removeEventListener("pointerdown", start);
      c.removeEventListener("pointermove", move);
      c.removeEventListener("pointerup", end);
      c.removeEventListener("pointercancel", end);
    };
  }, []);
  const drawnRef = useRef(drawn);
  drawnRef.current = drawn;
  useEffect(() => {
    props.onReady({
      isEmpty: () => !drawnRef.current,
      toBlob: () =>
        new Promise((resolve) => canvas.current!.toBlob((b) => resolve(b), "image/png")),
    });
  }, []);
  const clear = () => {
    const c = canvas.current!;
    c.getContext("2d")!.clearRect(0, 0, c.width, c.height);
    setDrawn(false);
  };
  return (
    <div class="pad">
      <canvas
        ref={canvas}
        class="pad-canvas"
        aria-label={t("contract.signaturePad")}
        role="img"
        data-testid="signature-pad"
      />
      <button type="button" class="secondary" onClick={clear}>
        {t("contract.clearSignature")}
      </button>
    </div>
  );
}
