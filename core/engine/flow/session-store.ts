/**
 * Where conversation sessions live. The engine only talks to this interface; `InMemorySessionStore`
 * serves tests, the benchmark and the embedded mode, and a Postgres store implements the same
 * contract:
 *
 * - every write is `compareAndSet(id, expectedRevision, next, history)`: it succeeds only when the
 *   stored revision is still `expectedRevision`, stores `next` with revision + 1, and appends the
 *   turn's history entries in the same atomic step (one transaction in Postgres). A mismatch throws
 *   ConflictError REVISION_CONFLICT and changes nothing, so a retried turn never writes its
 *   history twice;
 * - records are always read and written by tenant: another tenant's session is "not found".
 */
import type { InputRequest, OutboundMessage, UserInput } from "../../sdk/node-type.ts";
import { ConflictError, NotFoundError } from "../../sdk/platform-error.ts";
import type { Scopes } from "./variables.ts";

export const SessionStatus = { active: "active", waitingHuman: "waiting_human", ended: "ended" } as const;
export type SessionStatus = (typeof SessionStatus)[keyof typeof SessionStatus];

/** A composite node whose sub-flow is running: where to come back to, and the sub-flow's scopes. */
export type CompositeFrame = {
  /** The composite node's id in the enclosing flow. */
  nodeId: string;
  /** What the composite returned as `state` with its `call`. */
  state?: unknown;
  /** The sub-flow's `input`, `local` and `output` scopes. */
  vars: Scopes;
};

export type SessionPosition = {
  /** The node waiting for input (in the innermost flow), or null between runs. */
  nodeId: string | null;
  /** What that node returned as `state` when it paused. */
  state?: unknown;
  /** What it is waiting for, so channels can draw the input. */
  input?: InputRequest;
  /** Enclosing composites, outermost first. */
  frames: CompositeFrame[];
};

export type SessionRecord = {
  id: string;
  tenantId: string;
  botId: string;
  userId: string;
  channel: string;
  flowVersion: string;
  status: SessionStatus;
  variables: Scopes;
  position: SessionPosition;
  /** How many writes were committed: 1 after the first turn, +1 on every write since. */
  revision: number;
  createdAt: Date;
  updatedAt: Date;
  endedAt?: Date;
  /** Started on a channel that allows one open session per user (see migration 0017); kept by the store. */
  oneOpenPerUser?: boolean;
};

export type HistoryEntry = {
  sessionId: string;
  direction: "inbound" | "outbound";
  /** The node that sent the message, or that the inbound message answered (null before any). */
  nodeId: string | null;
  at: Date;
  /** The revision the turn committed. */
  revision: number;
  /** An inbound message may carry `ref`: the channel's own id of it (the vendor's message id). */
  message: OutboundMessage | (UserInput & { ref?: string });
};

export type SessionStore = {
  /** Stores a new session as given (the engine hands it over after its first turn, at revision 1) with its first history entries. */
  create(record: SessionRecord, history?: readonly HistoryEntry[]): Promise<SessionRecord>;
  get(tenantId: string, id: string): Promise<SessionRecord | undefined>;
  /**
   * Writes `next` (with revision `expectedRevision + 1`) and appends `history`, only if the
   * stored revision is `expectedRevision`; otherwise throws ConflictError REVISION_CONFLICT.
   */
  compareAndSet(id: string, expectedRevision: number, next: SessionRecord, history?: readonly HistoryEntry[]): Promise<SessionRecord>;
  /** Oldest first. */
  history(tenantId: string, id: string, options?: { limit?: number }): Promise<HistoryEntry[]>;
};

export function revisionConflict(id: string, expected: number, actual: number | undefined): ConflictError {
  return new ConflictError("REVISION_CONFLICT", "The session changed while this turn ran", { sessionId: id, expectedRevision: expected, actualRevision: actual });
}

/** A second open session for a user where only one may be open (see migration 0016): the start lost a race. */
export function sessionAlreadyOpen(botId: string, channel: string): ConflictError {
  return new ConflictError("SESSION_ALREADY_OPEN", "This user already has an open conversation with the bot", { botId, channel });
}

/** Sessions in a Map; records are copied in and out so callers never share mutable state with it. */
export class InMemorySessionStore implements SessionStore {
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #history = new Map<string, HistoryEntry[]>();

  async create(record: SessionRecord, history: readonly HistoryEntry[] = []): Promise<SessionRecord> {
    if (this.#sessions.has(record.id)) throw new ConflictError("SESSION_EXISTS", `Session ${record.id} already exists`);
    const stored = structuredClone(record);
    this.#sessions.set(record.id, stored);
    this.#history.set(record.id, structuredClone([...history]));
    return structuredClone(stored);
  }

  async get(tenantId: string, id: string): Promise<SessionRecord | undefined> {
    const record = this.#sessions.get(id);
    return record && record.tenantId === tenantId ? structuredClone(record) : undefined;
  }

  async compareAndSet(id: string, expectedRevision: number, next: SessionRecord, history: readonly HistoryEntry[] = []): Promise<SessionRecord> {
    const current = this.#sessions.get(id);
    if (!current || current.tenantId !== next.tenantId) throw new NotFoundError("SESSION_NOT_FOUND", "Session");
    if (current.revision !== expectedRevision) throw revisionConflict(id, expectedRevision, current.revision);
    const stored = { ...structuredClone(next), id, revision: expectedRevision + 1 };
    this.#sessions.set(id, stored);
    this.#history.get(id)!.push(...structuredClone([...history]));
    return structuredClone(stored);
  }

  async history(tenantId: string, id: string, options: { limit?: number } = {}): Promise<HistoryEntry[]> {
    const record = this.#sessions.get(id);
    if (!record || record.tenantId !== tenantId) throw new NotFoundError("SESSION_NOT_FOUND", "Session");
    const entries = this.#history.get(id) ?? [];
    return structuredClone(options.limit ? entries.slice(-options.limit) : entries);
  }
}
