/** The client: `new Grounded({ apiKey, baseUrl })`, with one property per API resource. */

import { PageRequest } from "./pages.js";
import type { Caller, CallInit } from "./resources.js";
import * as r from "./resources.js";
import { apiRoot, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, type Query, Transport } from "./transport.js";
import type { Me, Page } from "./types.js";

export interface GroundedOptions {
  /** A secret or publishable key (`sk_live_…` / `pk_live_…`) or a user token. Under Node it
   * defaults to `GROUNDED_API_KEY`. */
  apiKey?: string;
  /** Where Grounded runs, with or without `/api`. Under Node it defaults to `GROUNDED_BASE_URL`,
   * else `http://localhost:3001`. */
  baseUrl?: string;
  /** The org a user token acts in (`X-Grounded-Org`); keys know their org. */
  orgId?: string;
  /** Milliseconds before one request is abandoned (default 30 s). */
  timeoutMs?: number;
  /** Retries on 408, 429, 5xx and network errors (default 3). */
  maxRetries?: number;
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
  /** First retry's wait before jitter, doubling per attempt (default 500 ms). */
  backoffMs?: number;
}

function fromEnvironment(name: string): string | undefined {
  const environment = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return environment?.[name] || undefined;
}

const PAGE_SIZE = 100;

export class Grounded implements Caller {
  readonly baseUrl: string;
  private readonly transport: Transport;

  readonly agents: r.Agents;
  readonly snapshots: r.Snapshots;
  readonly traces: r.Traces;
  readonly sessions: r.Sessions;
  readonly telemetry: r.Telemetry;
  readonly connectors: r.Connectors;
  readonly jobs: r.Jobs;
  readonly evals: r.Evals;
  readonly drift: r.Drift;
  readonly analytics: r.Analytics;
  readonly pricing: r.Pricing;
  readonly policies: r.Policies;
  readonly scores: r.Scores;
  readonly providers: r.Providers;
  readonly evaluators: r.Evaluators;
  readonly alerts: r.Alerts;
  readonly insights: r.Insights;
  readonly keys: r.Keys;
  readonly auth: r.Auth;
  readonly org: r.Orgs;
  readonly members: r.Members;
  readonly invites: r.Invites;

  constructor(options: GroundedOptions = {}) {
    this.baseUrl = apiRoot(
      options.baseUrl ?? fromEnvironment("GROUNDED_BASE_URL") ?? "http://localhost:3001",
    );
    const fetcher = options.fetch ?? globalThis.fetch;
    if (typeof fetcher !== "function") throw new TypeError("Grounded needs fetch (Node >= 20 or a browser).");
    this.transport = new Transport({
      root: this.baseUrl,
      apiKey: options.apiKey ?? fromEnvironment("GROUNDED_API_KEY"),
      orgId: options.orgId,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
      fetch: fetcher.bind(globalThis),
      ...(options.backoffMs === undefined ? {} : { backoffMs: options.backoffMs }),
    });
    this.agents = new r.Agents(this);
    this.snapshots = this.agents.snapshots;
    this.traces = new r.Traces(this);
    this.sessions = new r.Sessions(this);
    this.telemetry = new r.Telemetry(this);
    this.connectors = new r.Connectors(this);
    this.jobs = new r.Jobs(this);
    this.evals = new r.Evals(this);
    this.drift = new r.Drift(this);
    this.analytics = new r.Analytics(this);
    this.pricing = new r.Pricing(this);
    this.policies = new r.Policies(this);
    this.scores = new r.Scores(this);
    this.providers = new r.Providers(this);
    this.evaluators = new r.Evaluators(this);
    this.alerts = new r.Alerts(this);
    this.insights = new r.Insights(this);
    this.keys = new r.Keys(this);
    this.auth = new r.Auth(this);
    this.org = new r.Orgs(this);
    this.members = new r.Members(this);
    this.invites = new r.Invites(this);
  }

  /** Who the credential is: the org, and the key or user and role. */
  me(options?: CallInit["options"]) {
    return this.call<Me>("GET", "me", { options });
  }

  /** One request to any path under the API's root; resolves with the answer's body. */
  async call<T>(method: string, path: string, init: CallInit = {}): Promise<T> {
    const answer = await this.transport.request(method, path, init.body, init.query as Query, init.options);
    return (answer.body ?? undefined) as T;
  }

  /** A list: `await` it for the first page, `for await` it for every item. */
  list<T>(path: string, filters: object = {}): PageRequest<T> {
    const query = { limit: PAGE_SIZE, ...filters } as Query;
    return new PageRequest<T>((cursor) => this.call<Page<T>>("GET", path, { query: { ...query, cursor } }));
  }
}
