import { Worker } from "node:worker_threads";
import { InternalError, restorePlatformError } from "../../sdk/platform-error.ts";
import type { DocumentType } from "./content-type.sniffer.ts";
import type { ReadDocument, ReadJob } from "./document.parser.ts";
import { documentTimeout, documentTooComplex } from "./knowledge-errors.ts";
import type { SplitOptions } from "./text.splitter.ts";
import type { ZipLimits } from "./zip-size.guard.ts";

export type DocumentReaderOptions = {
  /** Worker threads (KNOWLEDGE_PARSE_WORKERS). */
  size: number;
  /** Old-generation heap per worker, in MB (KNOWLEDGE_PARSE_MEMORY_MB). */
  memoryMb: number;
  /** Wall-clock limit per document (KNOWLEDGE_PARSE_TIMEOUT_MS). */
  timeoutMs: number;
  split: SplitOptions;
  zip: ZipLimits;
  /** An idle worker is ended after this long (it holds the parsers' code, tens of MB). */
  idleMs?: number;
};

/** Reads a document off the main thread; rejects with the document's coded error. */
export type DocumentReader = {
  read(bytes: Buffer, document: { name: string; type?: DocumentType }): Promise<ReadDocument>;
  /** Documents waiting for a worker, and being read. */
  load(): { waiting: number; reading: number };
  close(): Promise<void>;
};

type Pending = { job: Omit<ReadJob, "split" | "zip">; resolve: (result: ReadDocument) => void; reject: (error: unknown) => void };
type Slot = {
  worker: Worker;
  /** The worker has loaded its parsers; until then its document waits, unclocked. */
  ready: boolean;
  current?: Pending & { id: number; timer?: NodeJS.Timeout; failure?: unknown };
  idle?: NodeJS.Timeout;
};

const workerUrl = new URL("./document-reader.worker.ts", import.meta.url);

/**
 * A small pool of worker threads that read documents: PDF, DOCX, CSV and HTML parsers run there,
 * under a heap limit (`resourceLimits`) and a wall-clock timeout that terminates the thread. A
 * document that needs more memory fails with 422 KNOWLEDGE_DOCUMENT_TOO_COMPLEX, one that takes
 * too long with 422 KNOWLEDGE_DOCUMENT_TIMEOUT; the node's main thread only copies bytes in and
 * passages out, so every other request goes on being answered. Workers start on first use and
 * end when idle; a worker that died is replaced by the next document.
 */
export function createDocumentReaderPool(options: DocumentReaderOptions): DocumentReader {
  const slots = new Set<Slot>();
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;
  const idleMs = options.idleMs ?? 30_000;

  function spawn(): Slot {
    const worker = new Worker(workerUrl, {
      resourceLimits: {
        maxOldGenerationSizeMb: options.memoryMb,
        maxYoungGenerationSizeMb: Math.max(4, Math.min(32, Math.floor(options.memoryMb / 8))),
        stackSizeMb: 4,
      },
    });
    // An idle reader never keeps the process alive.
    worker.unref();
    const slot: Slot = { worker, ready: false };
    worker.on("message", (message: { ready?: true; id: number; ok: boolean; result?: ReadDocument; error?: Record<string, unknown>; coded?: boolean }) => {
      if (message.ready) {
        slot.ready = true;
        if (slot.current) send(slot);
        return;
      }
      const current = slot.current;
      if (!current || current.id !== message.id) return;
      clearTimeout(current.timer);
      slot.current = undefined;
      if (message.ok) current.resolve(message.result!);
      else if (message.coded) current.reject(restorePlatformError(message.error as Parameters<typeof restorePlatformError>[0]));
      else current.reject(new InternalError("KNOWLEDGE_READER_FAILED", `The document reader failed: ${String(message.error?.message ?? "unknown")}`));
      settle(slot);
    });
    worker.on("error", (error: Error & { code?: string }) => {
      if (slot.current && !slot.current.failure) {
        slot.current.failure = error.code === "ERR_WORKER_OUT_OF_MEMORY" ? documentTooComplex(options.memoryMb)
          : new InternalError("KNOWLEDGE_READER_FAILED", `The document reader stopped: ${error.message}`, { cause: error });
      }
    });
    worker.on("exit", () => {
      slots.delete(slot);
      clearTimeout(slot.idle);
      const current = slot.current;
      slot.current = undefined;
      if (current) {
        clearTimeout(current.timer);
        current.reject(current.failure ?? documentTooComplex(options.memoryMb));
      }
      pump();
    });
    slots.add(slot);
    return slot;
  }

  /** A worker is free again: the next document, or an idle timer that ends it. */
  function settle(slot: Slot): void {
    pump();
    if (!slot.current && !closed) {
      clearTimeout(slot.idle);
      slot.idle = setTimeout(() => void slot.worker.terminate(), idleMs);
      slot.idle.unref();
    }
  }

  function pump(): void {
    while (!closed && queue.length > 0) {
      let slot = [...slots].find((s) => !s.current);
      if (!slot && slots.size < options.size) slot = spawn();
      if (!slot) return;
      start(slot, queue.shift()!);
    }
  }

  function start(slot: Slot, pending: Pending): void {
    clearTimeout(slot.idle);
    slot.current = { ...pending, id: nextId++ };
    if (slot.ready) send(slot);
  }

  /** Hands the slot's document to its (loaded) worker and starts the document's clock. */
  function send(slot: Slot): void {
    const current = slot.current!;
    current.timer = setTimeout(() => {
      // terminate() stops the thread even inside a tight loop; "exit" then rejects the document.
      if (slot.current === current) current.failure = documentTimeout(options.timeoutMs);
      void slot.worker.terminate();
    }, options.timeoutMs);
    // A copy of the bytes is handed over (transferred, not cloned again): the caller keeps its Buffer.
    const bytes = new Uint8Array(current.job.bytes);
    slot.worker.postMessage({ ...current.job, bytes, id: current.id, split: options.split, zip: options.zip }, [bytes.buffer]);
  }

  return {
    read(bytes, document) {
      if (closed) return Promise.reject(new InternalError("KNOWLEDGE_READER_CLOSED", "The document reader has stopped"));
      return new Promise((resolve, reject) => {
        queue.push({ job: { bytes, name: document.name, type: document.type }, resolve, reject });
        pump();
      });
    },
    load: () => ({ waiting: queue.length, reading: [...slots].filter((s) => s.current).length }),
    async close() {
      closed = true;
      for (const pending of queue.splice(0)) pending.reject(new InternalError("KNOWLEDGE_READER_CLOSED", "The document reader has stopped"));
      await Promise.all([...slots].map((s) => s.worker.terminate()));
    },
  };
}
