// The on-device insights worker (a module Web Worker the page starts from client.ts): the
// message loop of serve.ts on this worker's global scope; everything else loads lazily.
import { serve, type WorkerScope } from "./serve.ts";

serve(globalThis as unknown as WorkerScope);
