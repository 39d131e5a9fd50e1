/**
 * The bot's sources, newest first, each with its status moving as the server reports it (the
 * page polls while any is processing), and above them the files still on their way up.
 */
import { timeAgo } from "../shell/time.ts";
import type { Source } from "./api.ts";
import type { Upload } from "./use-uploads.ts";

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const contentTypes: Record<string, string> = { pdf: "PDF", docx: "Word", text: "Text", markdown: "Markdown", csv: "CSV", html: "HTML" };

function kindOf(source: Source): string {
  if (source.kind === "crawl") return `Site crawl, up to ${source.maxPages ?? "?"} pages`;
  if (source.kind === "url") return "Web page";
  return source.contentType ? `File, ${contentTypes[source.contentType] ?? source.contentType}` : "File";
}

/** What a source in progress is doing, in words: "Embedding 256 of 600 passages". */
function stageText(source: Source): string {
  const stage = source.stage;
  if (!stage) return source.kind === "crawl" ? "Starting the crawl" : "Starting";
  if (stage.name === "crawling") return `Crawling: ${stage.done} of at most ${stage.total} pages`;
  if (stage.name === "embedding") return `Embedding ${stage.done} of ${stage.total} passages`;
  return `Storing ${stage.total} passages`;
}

const statusLabels: Record<string, string> = { processing: "Processing", ready: "Ready", failed: "Failed", queued: "Queued", uploading: "Uploading" };

function Status({ status }: { status: string }) {
  return <span className={`badge status-${status}`} data-status={status}>{statusLabels[status] ?? status}</span>;
}

export function SourceList({ sources, uploads, canEdit, onReingest, onDelete, onDismiss, busy }: {
  sources: readonly Source[];
  uploads: readonly Upload[];
  canEdit: boolean;
  onReingest: (source: Source) => void;
  onDelete: (source: Source) => void;
  onDismiss: (upload: Upload) => void;
  /** A source whose re-ingest request is in flight. */
  busy?: string;
}) {
  const newestFirst = [...sources].reverse();
  return (
    <ul className="source-list" aria-label="Sources">
      {uploads.map((upload) => (
        <li key={upload.id} className="source-row" aria-label={upload.name}>
          <div className="source-main">
            <span className="source-name">{upload.name}</span>
            <span className="source-meta"><span>File</span><span>{formatBytes(upload.bytes)}</span></span>
            {upload.state === "uploading" && <progress aria-label={`Progress of ${upload.name}`} className="source-progress" />}
            {upload.state === "failed" && <p className="source-error">{upload.error}</p>}
          </div>
          <div className="source-side">
            <Status status={upload.state} />
            {upload.state === "failed" && <button type="button" className="button small" onClick={() => onDismiss(upload)} aria-label={`Dismiss ${upload.name}`}>Dismiss</button>}
          </div>
        </li>
      ))}
      {newestFirst.map((source) => (
        <li key={source.id} className="source-row" aria-label={source.name}>
          <div className="source-main">
            <span className="source-name">{source.name}</span>
            {source.url && source.url !== source.name && <a className="source-url" href={source.url} target="_blank" rel="noreferrer noopener">{source.url}</a>}
            <span className="source-meta">
              <span>{kindOf(source)}</span>
              {source.bytes > 0 && <span>{formatBytes(source.bytes)}</span>}
              {(source.status === "ready" || source.chunks > 0) && <span>{source.chunks} {source.chunks === 1 ? "passage" : "passages"}</span>}
              {source.pages > 1 && <span>{source.pages} pages</span>}
              <span>added <time dateTime={source.createdAt}>{timeAgo(source.createdAt)}</time></span>
            </span>
            {source.status === "processing" && (
              <div className="source-stage">
                <progress aria-label={`Progress of ${source.name}`} className="source-progress" max={100} value={source.progress} />
                <span>{stageText(source)}</span>
              </div>
            )}
            {source.status === "failed" && source.error && (
              <p className="source-error">
                {source.error.message}
                {source.chunks > 0 && <span className="muted"> The {source.chunks} passages read before are still searched.</span>}
              </p>
            )}
          </div>
          <div className="source-side">
            <Status status={source.status} />
            {canEdit && (
              <span className="source-actions">
                <button type="button" className="button small" onClick={() => onReingest(source)} disabled={source.status === "processing" || busy === source.id} aria-label={`Re-ingest ${source.name}`}>Re-ingest</button>
                <button type="button" className="button small danger" onClick={() => onDelete(source)} aria-label={`Delete ${source.name}`}>Delete</button>
              </span>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
