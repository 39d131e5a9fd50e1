import { parentPort } from "node:worker_threads";
import { isPlatformError } from "../../sdk/platform-error.ts";
import { readDocument, type ReadJob } from "./document.parser.ts";

/**
 * The document reader's thread (document-reader.pool.ts): reads one document at a time and posts
 * back its passages, or the coded error that stopped it. Its heap is capped by the pool; an
 * out-of-memory or a timeout ends the thread, never the node.
 */
parentPort!.on("message", async (job: ReadJob & { id: number }) => {
  try {
    const result = await readDocument(job);
    parentPort!.postMessage({ id: job.id, ok: true, result });
  } catch (error) {
    const plain = isPlatformError(error) ? error.toJSON() : { name: "Error", message: (error as Error)?.message ?? String(error) };
    parentPort!.postMessage({ id: job.id, ok: false, error: plain, coded: isPlatformError(error) });
  }
});
