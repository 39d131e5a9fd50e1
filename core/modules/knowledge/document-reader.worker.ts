import { parentPort } from "node:worker_threads";
import { isPlatformError } from "../../sdk/platform-error.ts";
import { readDocument, type ReadJob } from "./document.parser.ts";
import { splitIntoChunks } from "./text.splitter.ts";

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
// The tokenizer builds its tables on first use: done now, so no document's clock pays for it.
splitIntoChunks([{ text: "warm up" }], { maxTokens: 10, overlapTokens: 0 });
// Loaded: the pool starts a document's clock only now, so a slow start is not charged to it.
parentPort!.postMessage({ ready: true });
