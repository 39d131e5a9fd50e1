/**
 * Files dropped or chosen, sent one at a time: the server reads (and may refuse) each file inside
 * its request, so a dozen dropped at once would otherwise be a dozen large bodies racing. Files
 * waiting their turn are "queued", the one being sent and read is "uploading"; once the server
 * accepts a file it is a source like any other and this list lets go of it. A refused file stays
 * here with the server's reason until dismissed: it never became a source.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { describeError } from "../api/client.ts";
import { knowledgeApi, type IngestOutcome } from "./api.ts";

// Not crypto.randomUUID: it exists only in secure contexts, and a console may be served over plain HTTP on a LAN.
let counter = 0;

export type Upload = { id: string; name: string; bytes: number; state: "queued" | "uploading" | "failed"; error?: string };

export function useUploads(botId: string, onAccepted: (outcome: IngestOutcome) => void, onRefused: (upload: Upload) => void) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const files = useRef(new Map<string, File>());
  // The callbacks change with each render of the page; the upload in flight calls the latest.
  const callbacks = useRef({ onAccepted, onRefused });
  callbacks.current = { onAccepted, onRefused };

  useEffect(() => {
    if (uploads.some((u) => u.state === "uploading")) return;
    const next = uploads.find((u) => u.state === "queued");
    if (!next) return;
    const file = files.current.get(next.id)!;
    setUploads((list) => list.map((u) => (u.id === next.id ? { ...u, state: "uploading" } : u)));
    knowledgeApi.upload(botId, file).then(
      (outcome) => {
        files.current.delete(next.id);
        setUploads((list) => list.filter((u) => u.id !== next.id));
        callbacks.current.onAccepted(outcome);
      },
      (error: unknown) => {
        files.current.delete(next.id);
        const failed: Upload = { ...next, state: "failed", error: describeError(error) };
        setUploads((list) => list.map((u) => (u.id === next.id ? failed : u)));
        callbacks.current.onRefused(failed);
      },
    );
  }, [botId, uploads]);

  const add = useCallback((chosen: readonly File[]) => {
    const added = chosen.map((file): Upload => {
      const id = `upload-${++counter}`;
      files.current.set(id, file);
      return { id, name: file.name, bytes: file.size, state: "queued" };
    });
    setUploads((list) => [...list, ...added]);
  }, []);

  const dismiss = useCallback((id: string) => setUploads((list) => list.filter((u) => u.id !== id)), []);

  return { uploads, add, dismiss };
}
