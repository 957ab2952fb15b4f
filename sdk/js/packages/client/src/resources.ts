/** The API's resources: each method builds one request; the client runs it. Bodies and answers
 * are the contract's own types (generated from `openapi.json`), camelCase as the API speaks. */

import { GroundedJobError, GroundedTimeoutError } from "./errors.js";
import type { PageRequest } from "./pages.js";
import type { RequestOptions } from "./transport.js";
import type * as t from "./types.js";

/** What a resource needs from the client. */
export interface Caller {
  call<T>(method: string, path: string, init?: CallInit): Promise<T>;
  list<T>(path: string, filters?: object): PageRequest<T>;
}

export interface CallInit {
  body?: unknown;
  query?: object;
  options?: RequestOptions | undefined;
}

/** Polling: the first wait, and the longest between two looks. */
export interface WaitOptions {
  /** Give up after this many milliseconds (default 5 minutes). */
  timeoutMs?: number;
  /** First wait between two looks; it grows 1.5x up to 5 s (default 500 ms). */
  pollIntervalMs?: number;
  signal?: AbortSignal;
}

const id = (value: string) => encodeURIComponent(value);

abstract class Resource {
  constructor(protected readonly client: Caller) {}
}

export class Snapshots extends Resource {
  create(agentId: string, body: t.SnapshotCreate, options?: RequestOptions) {
    return this.client.call<t.Snapshot>("POST", `agents/${id(agentId)}/snapshots`, { body, options });
  }
  list(agentId: string, filters: { limit?: number } = {}) {
    return this.client.list<t.Snapshot>(`agents/${id(agentId)}/snapshots`, filters);
  }
  get(snapshotId: string, options?: RequestOptions) {
    return this.client.call<t.Snapshot>("GET", `snapshots/${id(snapshotId)}`, { options });
  }
}

export class Agents extends Resource {
  readonly snapshots = new Snapshots(this.client);

  create(body: t.AgentCreate, options?: RequestOptions) {
    return this.client.call<t.Agent>("POST", "agents", { body, options });
  }
  get(agentId: string, options?: RequestOptions) {
    return this.client.call<t.Agent>("GET", `agents/${id(agentId)}`, { options });
  }
  list(filters: t.FiltersOf<"/api/agents"> = {}) {
    return this.client.list<t.Agent>("agents", filters);
  }
  /** Changes the fields given; `null` clears an optional one. */
  update(agentId: string, body: t.AgentPatch, options?: RequestOptions) {
    return this.client.call<t.Agent>("PATCH", `agents/${id(agentId)}`, { body, options });
  }
  delete(agentId: string, options?: RequestOptions) {
    return this.client.call<void>("DELETE", `agents/${id(agentId)}`, { options });
  }
  setBaseline(agentId: string, snapshotId: string, options?: RequestOptions) {
    return this.client.call<t.Agent>("PUT", `agents/${id(agentId)}/baseline`, {
      body: { snapshotId },
      options,
    });
  }
}

export class Traces extends Resource {
  send(trace: t.TraceIn, options?: RequestOptions) {
    return this.client.call<t.Accepted>("POST", "traces", { body: trace, options });
  }
  /** Up to 500 traces; the answer has one result per trace (207 when some were refused). */
  sendBatch(traces: t.TraceIn[], options?: RequestOptions) {
    return this.client.call<t.BatchAnswer>("POST", "traces/batch", { body: { traces }, options });
  }
  get(traceId: string, options?: RequestOptions) {
    return this.client.call<t.TraceView>("GET", `traces/${id(traceId)}`, { options });
  }
  list(filters: t.FiltersOf<"/api/traces"> = {}) {
    return this.client.list<t.TraceView>("traces", filters);
  }
}

export class Sessions extends Resource {
  create(body: t.SessionCreate, options?: RequestOptions) {
    return this.client.call<t.SessionView>("POST", "sessions", { body, options });
  }
  get(sessionId: string, options?: RequestOptions) {
    return this.client.call<t.SessionView>("GET", `sessions/${id(sessionId)}`, { options });
  }
  list(filters: t.FiltersOf<"/api/sessions"> = {}) {
    return this.client.list<t.SessionView>("sessions", filters);
  }
  /** The session's traces, turns and browser events, in time order. */
  timeline(sessionId: string) {
    return this.client.list<t.TimelineEntry>(`sessions/${id(sessionId)}/timeline`);
  }
  addTurn(sessionId: string, turn: t.TurnCreate, options?: RequestOptions) {
    return this.client.call<t.Turn>("POST", `sessions/${id(sessionId)}/turns`, { body: turn, options });
  }
  end(sessionId: string, options?: RequestOptions) {
    return this.client.call<t.SessionView>("POST", `sessions/${id(sessionId)}/end`, { options });
  }
  delete(sessionId: string, options?: RequestOptions) {
    return this.client.call<void>("DELETE", `sessions/${id(sessionId)}`, { options });
  }
}

export class Telemetry extends Resource {
  /** Browser-style events (page views, clicks, errors…); 207 names each refused one. */
  send(events: t.EventIn[], options?: RequestOptions) {
    return this.client.call<t.BatchAnswer>("POST", "telemetry", { body: { events }, options });
  }
}

export class Connectors extends Resource {
  create(body: t.ConnectorCreate, options?: RequestOptions) {
    return this.client.call<t.Connector>("POST", "connectors", { body, options });
  }
  list(filters: t.FiltersOf<"/api/connectors"> = {}) {
    return this.client.list<t.Connector>("connectors", filters);
  }
  get(connectorId: string, options?: RequestOptions) {
    return this.client.call<t.Connector>("GET", `connectors/${id(connectorId)}`, { options });
  }
  update(connectorId: string, body: t.ConnectorPatch, options?: RequestOptions) {
    return this.client.call<t.Connector>("PATCH", `connectors/${id(connectorId)}`, { body, options });
  }
  connect(connectorId: string, body: t.ConnectRequest = {}, options?: RequestOptions) {
    return this.client.call<t.ConnectResult>("POST", `connectors/${id(connectorId)}/connect`, {
      body,
      options,
    });
  }
  disconnect(connectorId: string, options?: RequestOptions) {
    return this.client.call<t.Connector>("POST", `connectors/${id(connectorId)}/disconnect`, { options });
  }
  /** Starts a sync; wait for it with `jobs.wait(job.id)`. */
  sync(connectorId: string, body: t.SyncRequest = {}, options?: RequestOptions) {
    return this.client.call<t.Job>("POST", `connectors/${id(connectorId)}/sync`, { body, options });
  }
  delete(connectorId: string, options?: RequestOptions) {
    return this.client.call<void>("DELETE", `connectors/${id(connectorId)}`, { options });
  }
}

export class Suites extends Resource {
  create(body: t.SuiteCreate, options?: RequestOptions) {
    return this.client.call<t.Suite>("POST", "evals/suites", { body, options });
  }
  get(suiteId: string, options?: RequestOptions) {
    return this.client.call<t.Suite>("GET", `evals/suites/${id(suiteId)}`, { options });
  }
  list(filters: t.FiltersOf<"/api/evals/suites"> = {}) {
    return this.client.list<t.Suite>("evals/suites", filters);
  }
  update(suiteId: string, body: t.SuitePatch, options?: RequestOptions) {
    return this.client.call<t.Suite>("PATCH", `evals/suites/${id(suiteId)}`, { body, options });
  }
  delete(suiteId: string, options?: RequestOptions) {
    return this.client.call<void>("DELETE", `evals/suites/${id(suiteId)}`, { options });
  }
  /** Imports one of `evals.templates.list()` into the suite (409 if it is already there). */
  importTemplate(suiteId: string, templateId: string, options?: RequestOptions) {
    const body = { templateId };
    return this.client.call<t.Imported>("POST", `evals/suites/${id(suiteId)}/import`, { body, options });
  }
}

export class Cases extends Resource {
  async add(suiteId: string, cases: t.CaseIn[], options?: RequestOptions): Promise<t.Case[]> {
    const path = `evals/suites/${id(suiteId)}/cases`;
    return (await this.client.call<{ cases: t.Case[] }>("POST", path, { body: { cases }, options })).cases;
  }
  /** A case made of a production trace (or one exchange of it, `turnId`), linked back to it;
   * `expected: "output"` keeps what the agent answered as the expected output. */
  fromTrace(suiteId: string, body: t.CaseFromTrace, options?: RequestOptions) {
    const path = `evals/suites/${id(suiteId)}/cases/from-trace`;
    return this.client.call<t.Case>("POST", path, { body, options });
  }
  list(suiteId: string, filters: { limit?: number } = {}) {
    return this.client.list<t.Case>(`evals/suites/${id(suiteId)}/cases`, filters);
  }
  update(caseId: string, body: t.CasePatch, options?: RequestOptions) {
    return this.client.call<t.Case>("PATCH", `evals/cases/${id(caseId)}`, { body, options });
  }
  delete(caseId: string, options?: RequestOptions) {
    return this.client.call<void>("DELETE", `evals/cases/${id(caseId)}`, { options });
  }
}

export class Templates extends Resource {
  async list(options?: RequestOptions): Promise<t.Template[]> {
    return (await this.client.call<{ items: t.Template[] }>("GET", "evals/templates", { options })).items;
  }
}

export class Runs extends Resource {
  create(body: t.RunCreate, options?: RequestOptions) {
    return this.client.call<t.Run>("POST", "evals/runs", { body, options });
  }
  get(runId: string, options?: RequestOptions) {
    return this.client.call<t.Run>("GET", `evals/runs/${id(runId)}`, { options });
  }
  list(filters: t.FiltersOf<"/api/evals/runs"> = {}) {
    return this.client.list<t.Run>("evals/runs", filters);
  }
  /** A submit-mode run's outputs, one per case. */
  submitResults(runId: string, results: t.ResultIn[], options?: RequestOptions) {
    const path = `evals/runs/${id(runId)}/results`;
    return this.client.call<t.SubmitAnswer>("POST", path, { body: { results }, options });
  }
  results(runId: string, filters: { limit?: number } = {}) {
    return this.client.list<t.Result>(`evals/runs/${id(runId)}/results`, filters);
  }
  cancel(runId: string, options?: RequestOptions) {
    return this.client.call<t.Run>("POST", `evals/runs/${id(runId)}/cancel`, { options });
  }
  compare(runId: string, otherRunId: string, options?: RequestOptions) {
    return this.client.call<t.Comparison>("GET", `evals/runs/${id(runId)}/compare/${id(otherRunId)}`, {
      options,
    });
  }
  /** Resolves once the run has left RUNNING (COMPLETED, FAILED or CANCELLED: look at `status`);
   * throws `GroundedTimeoutError` after `timeoutMs` (default 5 minutes). */
  waitForCompletion(runId: string, wait: WaitOptions = {}): Promise<t.Run> {
    return poll(
      () => this.get(runId),
      (run) => run.status !== "RUNNING",
      wait,
      `run ${runId}`,
    );
  }
}

export class Evals extends Resource {
  readonly suites = new Suites(this.client);
  readonly cases = new Cases(this.client);
  readonly templates = new Templates(this.client);
  readonly runs = new Runs(this.client);
}

const JOB_ENDED = new Set(["succeeded", "failed", "cancelled"]);

export class Jobs extends Resource {
  list(filters: t.FiltersOf<"/api/jobs"> = {}) {
    return this.client.list<t.Job>("jobs", filters);
  }
  get(jobId: string, options?: RequestOptions) {
    return this.client.call<t.Job>("GET", `jobs/${id(jobId)}`, { options });
  }
  cancel(jobId: string, options?: RequestOptions) {
    return this.client.call<t.Job>("POST", `jobs/${id(jobId)}/cancel`, { options });
  }
  /** Resolves with the job once it succeeded; throws `GroundedJobError` (with `error.job`) when
   * it ends failed or cancelled, `GroundedTimeoutError` after `timeoutMs` (default 5 minutes). */
  async wait(jobId: string, wait: WaitOptions = {}): Promise<t.Job> {
    const job = await poll(
      () => this.get(jobId),
      (j) => JOB_ENDED.has(j.status ?? ""),
      wait,
      `job ${jobId}`,
    );
    if (job.status !== "succeeded") throw new GroundedJobError(job);
    return job;
  }
}

export class Drift extends Resource {
  /** Scores a snapshot against the agent's baseline, now. */
  check(agentId: string, snapshotId: string, options?: RequestOptions) {
    return this.client.call<t.DriftReport>("POST", `agents/${id(agentId)}/drift`, {
      body: { snapshotId },
      options,
    });
  }
  list(filters: t.FiltersOf<"/api/drift/reports"> = {}) {
    return this.client.list<t.DriftReport>("drift/reports", filters);
  }
  get(reportId: string, options?: RequestOptions) {
    return this.client.call<t.DriftReport>("GET", `drift/reports/${id(reportId)}`, { options });
  }
}

export class Analytics extends Resource {
  /** Session volume, eval pass rate, drift by severity and cost, per day. */
  overview(query: t.QueryOf<"/api/analytics/overview", "get"> = {}, options?: RequestOptions) {
    return this.client.call<t.Overview>("GET", "analytics/overview", { query, options });
  }
}

export class Pricing extends Resource {
  list() {
    return this.client.list<t.PriceEntry>("pricing");
  }
  /** Sets the price per million tokens of models whose id starts with `modelPrefix`. */
  set(modelPrefix: string, price: t.Price, options?: RequestOptions) {
    return this.client.call<t.PriceEntry>("PUT", `pricing/${id(modelPrefix)}`, { body: price, options });
  }
  delete(modelPrefix: string, options?: RequestOptions) {
    return this.client.call<void>("DELETE", `pricing/${id(modelPrefix)}`, { options });
  }
}

export class Policies extends Resource {
  create(body: t.PolicyCreate, options?: RequestOptions) {
    return this.client.call<t.Policy>("POST", "policies", { body, options });
  }
  list(filters: t.FiltersOf<"/api/policies"> = {}) {
    return this.client.list<t.Policy>("policies", filters);
  }
  get(policyId: string, options?: RequestOptions) {
    return this.client.call<t.Policy>("GET", `policies/${id(policyId)}`, { options });
  }
  update(policyId: string, body: t.PolicyPatch, options?: RequestOptions) {
    return this.client.call<t.Policy>("PATCH", `policies/${id(policyId)}`, { body, options });
  }
  delete(policyId: string, options?: RequestOptions) {
    return this.client.call<void>("DELETE", `policies/${id(policyId)}`, { options });
  }
}

/** Scores of traces (and their spans), sessions and eval results. An `id` of your own makes a
 * create idempotent: sent again, the same score (200); with another value or comment, replaced. */
export class Scores extends Resource {
  create(body: t.ScoreCreate, options?: RequestOptions) {
    return this.client.call<t.Score>("POST", "scores", { body, options });
  }
  /** A target's scores (`traceId`, `sessionId` or `runId`), or one `name`'s, newest first. */
  list(filters: t.FiltersOf<"/api/scores"> = {}) {
    return this.client.list<t.Score>("scores", filters);
  }
}

/** The org's model providers for LLM judges; `apiKey` is write-only (required the first time). */
export class Providers extends Resource {
  put(name: string, body: t.ProviderIn, options?: RequestOptions) {
    return this.client.call<t.Provider>("PUT", `providers/${id(name)}`, { body, options });
  }
  get(name: string, options?: RequestOptions) {
    return this.client.call<t.Provider>("GET", `providers/${id(name)}`, { options });
  }
  async list(options?: RequestOptions): Promise<t.Provider[]> {
    return (await this.client.call<{ items: t.Provider[] }>("GET", "providers", { options })).items;
  }
  delete(name: string, options?: RequestOptions) {
    return this.client.call<void>("DELETE", `providers/${id(name)}`, { options });
  }
}

/** Online evaluators: an LLM judge scores a sample of an agent's new traces. */
export class Evaluators extends Resource {
  create(body: t.EvaluatorCreate, options?: RequestOptions) {
    return this.client.call<t.Evaluator>("POST", "evaluators", { body, options });
  }
  list(filters: t.FiltersOf<"/api/evaluators"> = {}) {
    return this.client.list<t.Evaluator>("evaluators", filters);
  }
  get(evaluatorId: string, options?: RequestOptions) {
    return this.client.call<t.Evaluator>("GET", `evaluators/${id(evaluatorId)}`, { options });
  }
  update(evaluatorId: string, body: t.EvaluatorPatch, options?: RequestOptions) {
    return this.client.call<t.Evaluator>("PATCH", `evaluators/${id(evaluatorId)}`, { body, options });
  }
  delete(evaluatorId: string, options?: RequestOptions) {
    return this.client.call<void>("DELETE", `evaluators/${id(evaluatorId)}`, { options });
  }
}

/** Alert rules per agent; `create`'s answer holds the webhook's signing secret, this once. */
export class Alerts extends Resource {
  create(body: t.AlertCreate, options?: RequestOptions) {
    return this.client.call<t.AlertCreated>("POST", "alerts", { body, options });
  }
  list(filters: t.FiltersOf<"/api/alerts"> = {}) {
    return this.client.list<t.Alert>("alerts", filters);
  }
  get(alertId: string, options?: RequestOptions) {
    return this.client.call<t.Alert>("GET", `alerts/${id(alertId)}`, { options });
  }
  update(alertId: string, body: t.AlertPatch, options?: RequestOptions) {
    return this.client.call<t.Alert>("PATCH", `alerts/${id(alertId)}`, { body, options });
  }
  delete(alertId: string, options?: RequestOptions) {
    return this.client.call<void>("DELETE", `alerts/${id(alertId)}`, { options });
  }
  deliveries(alertId: string, filters: { limit?: number } = {}) {
    return this.client.list<t.Delivery>(`alerts/${id(alertId)}/deliveries`, filters);
  }
  /** A test delivery to each of the alert's channels. */
  async test(alertId: string, options?: RequestOptions): Promise<t.Delivery[]> {
    const path = `alerts/${id(alertId)}/test`;
    return (await this.client.call<{ items: t.Delivery[] }>("POST", path, { options })).items;
  }
}

export class Insights extends Resource {
  list(filters: t.FiltersOf<"/api/insights"> = {}) {
    return this.client.list<t.Insight>("insights", filters);
  }
}

export class Keys extends Resource {
  /** A new key; its secret is in the answer, this once. */
  create(body: t.KeyRequest, options?: RequestOptions) {
    return this.client.call<t.KeyCreated>("POST", "keys", { body, options });
  }
  list(filters: t.FiltersOf<"/api/keys"> = {}) {
    return this.client.list<t.ApiKey>("keys", filters);
  }
  revoke(keyId: string, options?: RequestOptions) {
    return this.client.call<t.ApiKey>("DELETE", `keys/${id(keyId)}`, { options });
  }
  rotate(keyId: string, options?: RequestOptions) {
    return this.client.call<t.KeyCreated>("POST", `keys/${id(keyId)}/rotate`, { options });
  }
}

export class Auth extends Resource {
  signUp(body: t.SignUp, options?: RequestOptions) {
    return this.client.call<t.AuthSession>("POST", "auth/signup", { body, options });
  }
  logIn(body: t.LogIn, options?: RequestOptions) {
    return this.client.call<t.AuthSession>("POST", "auth/login", { body, options });
  }
  /** Every token of the signed-in user issued until now stops working (API keys are not sessions). */
  logOutEverywhere(options?: RequestOptions) {
    return this.client.call<void>("POST", "auth/logout-all", { options });
  }
  /** Signs out every earlier token; the answer carries a fresh one. */
  changePassword(body: t.PasswordChange, options?: RequestOptions) {
    return this.client.call<t.AuthSession>("POST", "auth/password", { body, options });
  }
  /** Mails a one-hour, single-use reset link if the address has an account (same answer either way). */
  requestPasswordReset(body: { email: string }, options?: RequestOptions) {
    return this.client.call<t.ResetAccepted>("POST", "auth/password-reset", { body, options });
  }
  /** Sets the password with the mailed token; every earlier token is signed out. */
  resetPassword(body: t.ResetConfirm, options?: RequestOptions) {
    return this.client.call<t.AuthSession>("POST", "auth/password-reset/confirm", { body, options });
  }
  /** Deletes the signed-in user and their memberships (409 while an org's last OWNER). */
  deleteAccount(body: t.AccountDeletion, options?: RequestOptions) {
    return this.client.call<void>("DELETE", "me", { body, options });
  }
  /** A new user sends `{ name, password }`; a signed-in user's client sends nothing. */
  acceptInvite(token: string, body: t.Acceptance = {}, options?: RequestOptions) {
    return this.client.call<t.AuthSession>("POST", `invites/${id(token)}/accept`, { body, options });
  }
}

export class Orgs extends Resource {
  get(options?: RequestOptions) {
    return this.client.call<t.Org>("GET", "org", { options });
  }
  /** `retentionDays: null` keeps everything forever; a change starts a re-stamping job (`retentionJobId`). */
  update(body: t.OrgPatch, options?: RequestOptions) {
    return this.client.call<t.Org>("PATCH", "org", { body, options });
  }
  /** OWNER only, `confirm` is the org's slug: keys and members are cut off at once, a job erases the rest. */
  delete(body: t.OrgDeletion, options?: RequestOptions) {
    return this.client.call<t.Job>("DELETE", "org", { body, options });
  }
}

export class Members extends Resource {
  list(filters: { limit?: number } = {}) {
    return this.client.list<t.Membership>("members", filters);
  }
  setRole(userId: string, role: t.OrgRole, options?: RequestOptions) {
    return this.client.call<t.Membership>("PATCH", `members/${id(userId)}`, { body: { role }, options });
  }
  remove(userId: string, options?: RequestOptions) {
    return this.client.call<void>("DELETE", `members/${id(userId)}`, { options });
  }
}

export class Invites extends Resource {
  create(body: t.InviteRequest, options?: RequestOptions) {
    return this.client.call<t.InviteCreated>("POST", "invites", { body, options });
  }
  list(filters: { limit?: number } = {}) {
    return this.client.list<t.Invite>("invites", filters);
  }
  revoke(inviteId: string, options?: RequestOptions) {
    return this.client.call<void>("DELETE", `invites/${id(inviteId)}`, { options });
  }
}

const MAX_POLL_MS = 5_000;
const DEFAULT_WAIT_MS = 5 * 60_000;

/** Looks with `fetch` until `done`, backing off 1.5x per look up to 5 s. */
export async function poll<T extends { status?: string }>(
  fetch: () => Promise<T>,
  done: (current: T) => boolean,
  wait: WaitOptions,
  what: string,
): Promise<T> {
  const timeoutMs = wait.timeoutMs ?? DEFAULT_WAIT_MS;
  const deadline = Date.now() + timeoutMs;
  let interval = wait.pollIntervalMs ?? 500;
  for (;;) {
    const current = await fetch();
    if (done(current)) return current;
    if (Date.now() + interval > deadline) {
      throw new GroundedTimeoutError(`${what} did not end within ${timeoutMs} ms (last: ${current.status})`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
    wait.signal?.throwIfAborted();
    interval = Math.min(interval * 1.5, MAX_POLL_MS);
  }
}
