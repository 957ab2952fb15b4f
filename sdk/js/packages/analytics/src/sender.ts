/**
 * Sending events: batches to `POST {api}/telemetry?key=pk_…` as `text/plain` JSON, which makes
 * the request CORS-simple (no preflight) and lets `navigator.sendBeacon` — which cannot set
 * headers — send what is left when the page is hidden. Only a publishable key may travel in a
 * URL; the API refuses a secret key there.
 */

export interface Event {
  agentId: string;
  type: "page" | "click" | "input" | "error" | "custom" | "identify";
  name: string;
  timestamp: string;
  anonymousId: string;
  sessionId: string;
  userId?: string;
  url?: string;
  properties?: Record<string, unknown>;
  id: string;
}

/** The API's root, ending in `/api`, whether or not `baseUrl` has it; same origin when not given. */
export function apiRoot(baseUrl: string | undefined): string {
  const url = (baseUrl ?? "").replace(/\/+$/, "");
  return url.endsWith("/api") ? url : `${url}/api`;
}

export const BEACON_BYTES = 60_000; // browsers cap a beacon's queued data at 64 KB

export class Sender {
  readonly url: string;
  readonly scoresUrl: string;

  constructor(root: string, publishableKey: string) {
    this.url = `${root}/telemetry?key=${encodeURIComponent(publishableKey)}`;
    this.scoresUrl = `${root}/scores?key=${encodeURIComponent(publishableKey)}`;
  }

  /** One end-user score, the same CORS-simple way; `true` when the API kept it. */
  async score(body: Record<string, unknown>): Promise<boolean> {
    try {
      const response = await fetch(this.scoresUrl, {
        method: "POST",
        headers: { "content-type": "text/plain;charset=UTF-8" },
        body: JSON.stringify(body),
        keepalive: true,
        credentials: "omit",
      });
      if (!response.ok)
        console.warn(`grounded: feedback refused (${response.status}): ${await response.text()}`);
      return response.ok;
    } catch {
      return false;
    }
  }

  /** One batch by fetch; `true` when the API took it (202, or 207 with some refused: those are
   * invalid and would be refused again), `false` to keep the events for a later try. */
  async post(events: Event[]): Promise<boolean> {
    try {
      const response = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "text/plain;charset=UTF-8" },
        body: JSON.stringify({ events }),
        keepalive: true,
        credentials: "omit",
      });
      if (response.status === 207) void this.warnRefused(response);
      if (response.status >= 400 && response.status < 500 && response.status !== 429) {
        console.warn(`grounded: telemetry refused (${response.status}): ${await response.text()}`);
        return true; // sending it again would not help
      }
      return response.ok;
    } catch {
      return false;
    }
  }

  private async warnRefused(response: Response): Promise<void> {
    const answer = (await response.json()) as { results?: { status: string; error?: string }[] };
    for (const result of answer.results ?? []) {
      if (result.status !== "accepted") console.warn(`grounded: an event was refused: ${result.error}`);
    }
  }

  /** What is left, by `sendBeacon` (which outlives the page) in chunks under its size cap. */
  beacon(events: Event[]): boolean {
    if (typeof navigator === "undefined" || typeof navigator.sendBeacon !== "function") return false;
    let sent = true;
    for (const chunk of chunks(events)) {
      const body = new Blob([JSON.stringify({ events: chunk })], { type: "text/plain;charset=UTF-8" });
      sent = navigator.sendBeacon(this.url, body) && sent;
    }
    return sent;
  }
}

function chunks(events: Event[]): Event[][] {
  const out: Event[][] = [];
  let current: Event[] = [];
  let size = 20;
  for (const event of events) {
    const bytes = JSON.stringify(event).length + 1;
    if (current.length > 0 && size + bytes > BEACON_BYTES) {
      out.push(current);
      current = [];
      size = 20;
    }
    current.push(event);
    size += bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}
