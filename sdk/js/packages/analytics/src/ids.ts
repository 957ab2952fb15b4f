/** Where the browser SDK keeps its ids: `localStorage` only (no cookies), falling back to memory
 * when storage is unavailable (private modes, sandboxed frames). */

export interface Store {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

export function browserStore(): Store {
  const memory = new Map<string, string>();
  const local = (() => {
    try {
      const storage = globalThis.localStorage;
      const probe = "grounded.probe";
      storage.setItem(probe, probe);
      storage.removeItem(probe);
      return storage;
    } catch {
      return undefined;
    }
  })();
  return {
    get: (key) => (local ? local.getItem(key) : (memory.get(key) ?? null)),
    set: (key, value) => (local ? local.setItem(key, value) : memory.set(key, value)),
    remove: (key) => (local ? local.removeItem(key) : memory.delete(key)),
  };
}

/** A random id (crypto.randomUUID needs a secure context; getRandomValues does not). */
export function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

const ANONYMOUS = "grounded.anonymousId";
const SESSION = "grounded.session";
const USER = "grounded.userId";
const OPTED_OUT = "grounded.optOut";

/** The visitor's ids: a lasting anonymous id, a session id that rotates after `timeoutMs` without
 * activity, and the user id `identify` gave. */
export class Identity {
  constructor(
    private readonly store: Store,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get optedOut(): boolean {
    return this.store.get(OPTED_OUT) === "1";
  }

  anonymousId(): string {
    let id = this.store.get(ANONYMOUS);
    if (!id) {
      id = newId();
      this.store.set(ANONYMOUS, id);
    }
    return id;
  }

  /** The current session's id; a new one when the last activity is older than the timeout.
   * `touch` (the default) counts this call as activity. */
  sessionId(touch = true): string {
    const now = this.now();
    let session: { id: string; at: number } | undefined;
    try {
      session = JSON.parse(this.store.get(SESSION) ?? "null") ?? undefined;
    } catch {
      session = undefined;
    }
    if (!session?.id || typeof session.at !== "number" || now - session.at > this.timeoutMs) {
      session = { id: newId(), at: now };
    } else if (touch) {
      session.at = now;
    }
    this.store.set(SESSION, JSON.stringify(session));
    return session.id;
  }

  userId(): string | undefined {
    return this.store.get(USER) ?? undefined;
  }

  setUserId(userId: string): void {
    this.store.set(USER, userId);
  }

  /** Forget every id, and remember not to make new ones. */
  optOut(): void {
    for (const key of [ANONYMOUS, SESSION, USER]) this.store.remove(key);
    this.store.set(OPTED_OUT, "1");
  }

  optIn(): void {
    this.store.remove(OPTED_OUT);
  }
}
