import { isPlatformError } from "../../sdk/platform-error.ts";
import type { HistoryEntry, SessionRecord, SessionStore } from "../flow/session-store.ts";

/** Sessions this node keeps after its own writes; beyond this the oldest are forgotten. */
const DEFAULT_CAPACITY = 20_000;

/**
 * A session store that remembers the state this node last wrote, so the next turn on the session
 * skips its read: one round trip a message instead of two, which is most of a turn's cost.
 *
 * Safe in a cluster because every write anywhere (another node's turn, the sweeper, a CRM refresh)
 * bumps the revision, and the turn's compare-and-set is guarded by the revision it started from. A
 * stale entry therefore costs one lost race: the conflict evicts it and the engine runs the turn
 * again from a fresh read. Records are copied in and out, so a turn that mutates what it read and
 * then fails leaves nothing behind.
 *
 * The copy is kept as JSON text, as the database keeps it (variables and position are jsonb): a
 * read here sees exactly what a read from PostgreSQL would, and a JSON parse costs about a third
 * of the `structuredClone` it replaces (measured in bench/README.md).
 */
export class RecentSessionStore implements SessionStore {
  readonly #inner: SessionStore;
  readonly #capacity: number;
  readonly #recent = new Map<string, KeptRecord>();

  constructor(inner: SessionStore, capacity = DEFAULT_CAPACITY) {
    this.#inner = inner;
    this.#capacity = capacity;
  }

  async create(record: SessionRecord, history?: readonly HistoryEntry[]): Promise<SessionRecord> {
    const created = await this.#inner.create(record, history);
    this.#remember(created);
    return created;
  }

  async get(tenantId: string, id: string): Promise<SessionRecord | undefined> {
    const known = this.#recent.get(id);
    if (known && known.record.tenantId === tenantId) return thaw(known);
    const found = await this.#inner.get(tenantId, id);
    if (found) this.#remember(found);
    return found;
  }

  async compareAndSet(id: string, expectedRevision: number, next: SessionRecord, history?: readonly HistoryEntry[]): Promise<SessionRecord> {
    try {
      const stored = await this.#inner.compareAndSet(id, expectedRevision, next, history);
      this.#remember(stored);
      return stored;
    } catch (error) {
      // Lost a race (or the session is gone): whatever this node remembers is out of date.
      if (isPlatformError(error)) this.#recent.delete(id);
      throw error;
    }
  }

  history(tenantId: string, id: string, options?: { limit?: number }): Promise<HistoryEntry[]> {
    return this.#inner.history(tenantId, id, options);
  }

  #remember(record: SessionRecord): void {
    this.#recent.delete(record.id);
    this.#recent.set(record.id, keep(record));
    if (this.#recent.size > this.#capacity) this.#recent.delete(this.#recent.keys().next().value!);
  }
}

/** A record with its JSON columns as text; the rest is strings, numbers and dates. */
type KeptRecord = { record: SessionRecord; variables: string; position: string };

function keep(record: SessionRecord): KeptRecord {
  return { record: { ...record }, variables: JSON.stringify(record.variables), position: JSON.stringify(record.position) };
}

function thaw({ record, variables, position }: KeptRecord): SessionRecord {
  return {
    ...record, variables: JSON.parse(variables) as SessionRecord["variables"], position: JSON.parse(position) as SessionRecord["position"],
    createdAt: new Date(record.createdAt), updatedAt: new Date(record.updatedAt), ...(record.endedAt ? { endedAt: new Date(record.endedAt) } : {}),
  };
}
