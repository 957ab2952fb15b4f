import { type FormEvent, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, type Schemas } from "../api";
import { DataTable, ListTable } from "../components/DataTable";
import {
  Badge,
  Card,
  Confirm,
  CopyButton,
  Field,
  FormError,
  formatTime,
  formatUsd,
  Loaded,
  PageHeader,
  Preformatted,
} from "../components/ui";
import { useChange, useList, useOne } from "../queries";
import { useCan, useLogOut, useMe } from "../session";
import { AgentSelect } from "./Sessions";

type Membership = Schemas["Membership"];
type Invite = Schemas["Invite"];
type InviteCreated = Schemas["InviteCreated"];
type ApiKey = Schemas["ApiKey"];
type KeyCreated = Schemas["KeyCreated"];
type Org = Schemas["Org"];
type Policy = Schemas["Policy"];
type PriceEntry = Schemas["PriceEntry"];
type DriftReport = Schemas["DriftReport"];
type Insight = Schemas["Insight"];
type Connector = Schemas["Connector"];
type Job = Schemas["Job"];

const ROLES = ["VIEWER", "MEMBER", "ADMIN", "OWNER"] as const;
// the API's scopes (grounded_core.identity.principal.ALL_SCOPES)
const SCOPES = [
  "agents:read",
  "agents:write",
  "traces:read",
  "traces:write",
  "telemetry:write",
  "sessions:read",
  "sessions:write",
  "evals:read",
  "evals:write",
  "connectors:read",
  "connectors:write",
  "jobs:read",
  "jobs:write",
  "scores:read",
  "scores:write",
  "analytics:read",
  "admin",
];

function formValues(event: FormEvent<HTMLFormElement>): Record<string, string> {
  event.preventDefault();
  return Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
}

export function Team() {
  const me = useMe().data;
  const members = useList<Membership>("members");
  const invites = useList<Invite>("invites");
  const isAdmin = useCan("ADMIN");
  const isOwner = useCan("OWNER");
  const [created, setCreated] = useState<InviteCreated | null>(null);
  const invite = useChange(
    (body: Record<string, string>) => api.post<InviteCreated>("invites", body),
    ["invites"],
  );
  const setRole = useChange(
    ({ userId, role }: { userId: string; role: string }) => api.patch(`members/${userId}`, { role }),
    ["members"],
  );
  const remove = useChange((userId: string) => api.delete(`members/${userId}`), ["members"]);
  const revoke = useChange((inviteId: string) => api.delete(`invites/${inviteId}`), ["invites"]);
  /** An admin changes others, never themselves; only an owner touches an owner. */
  const editable = (member: Membership) =>
    isAdmin && member.userId !== me?.user?.id && (isOwner || member.role !== "OWNER");
  return (
    <>
      <PageHeader title="Team" subtitle="Members of this organization and their roles." />
      {isAdmin ? (
        <Card title="Invite a member">
          <form
            className="inline-form"
            onSubmit={(event) => invite.mutate(formValues(event), { onSuccess: setCreated })}
          >
            <Field label="Email">{(id) => <input id={id} name="email" type="email" required />}</Field>
            <label className="filter">
              Role
              <select name="role" defaultValue="MEMBER">
                {ROLES.filter((role) => isOwner || role !== "OWNER").map((role) => (
                  <option key={role}>{role}</option>
                ))}
              </select>
            </label>
            <button className="button" type="submit" disabled={invite.isPending}>
              Send invite
            </button>
          </form>
          <FormError error={invite.error} />
          {created ? (
            <p className="notice" role="status">
              Invite link for {created.email} (shown once): <code className="secret">{created.url}</code>{" "}
              <CopyButton text={created.url} label="Copy link" />
            </p>
          ) : null}
        </Card>
      ) : null}
      <Card title="Members">
        <ListTable
          query={members}
          rowKey={(member) => member.userId}
          columns={[
            { header: "Name", cell: (member) => member.name },
            { header: "Email", cell: (member) => member.email },
            {
              header: "Role",
              cell: (member) =>
                editable(member) ? (
                  <select
                    aria-label={`Role of ${member.name}`}
                    value={member.role}
                    onChange={(event) => setRole.mutate({ userId: member.userId, role: event.target.value })}
                  >
                    {ROLES.filter((role) => isOwner || role !== "OWNER").map((role) => (
                      <option key={role}>{role}</option>
                    ))}
                  </select>
                ) : (
                  <Badge>{member.role}</Badge>
                ),
            },
            { header: "Joined", cell: (member) => formatTime(member.joinedAt) },
            {
              header: null,
              cell: (member) =>
                editable(member) ? (
                  <Confirm
                    label="Remove"
                    confirm={`Remove ${member.name}?`}
                    onConfirm={() => remove.mutate(member.userId)}
                  />
                ) : null,
            },
          ]}
        />
        <FormError error={setRole.error ?? remove.error} />
      </Card>
      {isAdmin ? (
        <Card title="Pending invites">
          <ListTable
            query={invites}
            rowKey={(pending) => pending.id}
            columns={[
              { header: "Email", cell: (pending) => pending.email },
              { header: "Role", cell: (pending) => pending.role },
              { header: "Expires", cell: (pending) => formatTime(pending.expiresAt) },
              {
                header: null,
                cell: (pending) => (
                  <>
                    <Confirm
                      label="Revoke"
                      confirm="Revoke this invite?"
                      onConfirm={() => revoke.mutate(pending.id)}
                    />
                  </>
                ),
              },
            ]}
          />
        </Card>
      ) : null}
    </>
  );
}

export function Keys() {
  const keys = useList<ApiKey>("keys");
  const isAdmin = useCan("ADMIN");
  const [kind, setKind] = useState("secret");
  const [agentId, setAgentId] = useState("");
  const [shown, setShown] = useState<KeyCreated | null>(null);
  const create = useChange((body: Record<string, unknown>) => api.post<KeyCreated>("keys", body), ["keys"]);
  const revoke = useChange((keyId: string) => api.delete(`keys/${keyId}`), ["keys"]);
  const rotate = useChange((keyId: string) => api.post<KeyCreated>(`keys/${keyId}/rotate`), ["keys"]);
  return (
    <>
      <PageHeader
        title="API Keys"
        subtitle="Secret keys for servers and SDKs; publishable keys for browsers, limited to one agent."
      />
      {shown ? (
        <div className="notice key-once" role="status">
          <p>
            <strong>{shown.name}</strong>: copy this key now — it is not shown again.
          </p>
          <code className="secret" data-testid="new-key">
            {shown.key}
          </code>{" "}
          <CopyButton text={shown.key} />{" "}
          <button type="button" className="button secondary small" onClick={() => setShown(null)}>
            Done
          </button>
        </div>
      ) : null}
      {isAdmin ? (
        <Card title="Create a key">
          <form
            className="stack-form"
            onSubmit={(event) => {
              event.preventDefault();
              const form = new FormData(event.currentTarget);
              const scopes = form.getAll("scopes").map(String);
              const expires = String(form.get("expiresAt") ?? "");
              create.mutate(
                {
                  name: String(form.get("name")),
                  kind,
                  agentId: agentId || undefined,
                  scopes: kind === "secret" && scopes.length > 0 ? scopes : undefined,
                  expiresAt: expires ? new Date(expires).toISOString() : undefined,
                },
                { onSuccess: setShown },
              );
            }}
          >
            <Field label="Name">{(id) => <input id={id} name="name" required maxLength={200} />}</Field>
            <label className="filter">
              Kind
              <select value={kind} onChange={(event) => setKind(event.target.value)}>
                <option value="secret">Secret (server)</option>
                <option value="publishable">Publishable (browser)</option>
              </select>
            </label>
            <AgentSelect
              value={agentId}
              onChange={setAgentId}
              label={kind === "publishable" ? "Agent (required)" : "Limit to agent"}
            />
            {kind === "secret" ? (
              <fieldset>
                <legend>Scopes (none: every scope)</legend>
                {SCOPES.map((scope) => (
                  <label key={scope} className="check">
                    <input type="checkbox" name="scopes" value={scope} /> {scope}
                  </label>
                ))}
              </fieldset>
            ) : null}
            <Field label="Expires (optional)">{(id) => <input id={id} name="expiresAt" type="date" />}</Field>
            <button className="button" type="submit" disabled={create.isPending}>
              Create key
            </button>
            <FormError error={create.error} />
          </form>
        </Card>
      ) : null}
      <Card title="Keys">
        <ListTable
          query={keys}
          rowKey={(key) => key.id}
          columns={[
            { header: "Name", cell: (key) => key.name },
            { header: "Key", cell: (key) => <code>{key.prefix}…</code> },
            { header: "Kind", cell: (key) => key.kind },
            { header: "Scopes", cell: (key) => key.scopes.join(", ") || "all", className: "clip" },
            { header: "Last used", cell: (key) => formatTime(key.lastUsedAt) },
            {
              header: "Status",
              cell: (key) => (
                <>
                  {key.revokedAt ? (
                    <Badge tone="bad">revoked</Badge>
                  ) : key.expiresAt && Date.parse(key.expiresAt) < Date.now() ? (
                    <Badge tone="warn">expired</Badge>
                  ) : (
                    <Badge tone="good">active</Badge>
                  )}
                </>
              ),
            },
            {
              header: null,
              cell: (key) => (
                <>
                  {isAdmin && !key.revokedAt ? (
                    <>
                      <button
                        type="button"
                        className="button secondary small"
                        onClick={() => rotate.mutate(key.id, { onSuccess: setShown })}
                      >
                        Rotate
                      </button>
                      <Confirm
                        label="Revoke"
                        confirm={`Revoke ${key.name}? It stops working at once.`}
                        onConfirm={() => revoke.mutate(key.id)}
                      />
                    </>
                  ) : null}
                </>
              ),
            },
          ]}
        />
        <FormError error={revoke.error ?? rotate.error} />
      </Card>
    </>
  );
}

export function Settings() {
  const org = useOne<Org>("org");
  const isAdmin = useCan("ADMIN");
  const isOwner = useCan("OWNER");
  const update = useChange((body: Record<string, string>) => api.patch<Org>("org", body), ["org", "me"]);
  return (
    <>
      <PageHeader
        title="Settings"
        subtitle="This organization, how long it keeps what it records, and your account."
      />
      <Card title="Organization">
        <Loaded query={org}>
          {(found) => (
            <form className="stack-form" onSubmit={(event) => update.mutate(formValues(event))}>
              <Field label="Name">
                {(id) => <input id={id} name="name" defaultValue={found.name} disabled={!isAdmin} required />}
              </Field>
              <Field label="Slug">
                {(id) => <input id={id} name="slug" defaultValue={found.slug} disabled={!isAdmin} required />}
              </Field>
              <p className="muted">
                Id <code>{found.id}</code> · created {formatTime(found.createdAt)}
              </p>
              {isAdmin ? (
                <button className="button" type="submit" disabled={update.isPending}>
                  Save
                </button>
              ) : null}
              {update.isSuccess ? <span role="status">Saved</span> : null}
              <FormError error={update.error} />
            </form>
          )}
        </Loaded>
      </Card>
      <Loaded query={org}>{(found) => <Retention org={found} editable={isAdmin} />}</Loaded>
      {isOwner ? <Loaded query={org}>{(found) => <DeleteOrg org={found} />}</Loaded> : null}
      <DeleteAccount />
    </>
  );
}

/** How long traces, payloads, sessions, turns and telemetry are kept (rollups always stay). */
function Retention({ org, editable }: { org: Org; editable: boolean }) {
  const [forever, setForever] = useState(org.retentionDays == null);
  const change = useChange(
    (days: number | null) => api.patch<Org>("org", { retentionDays: days }),
    ["org", "jobs"],
  );
  const job = useOne<Job>(org.retentionJobId ? `jobs/${org.retentionJobId}` : null, (found) =>
    found && (found.status === "queued" || found.status === "running") ? 1000 : false,
  );
  const save = (event: FormEvent<HTMLFormElement>) => {
    const values = formValues(event);
    change.mutate(forever ? null : Number(values.days));
  };
  return (
    <Card title="Data retention">
      <form className="stack-form" onSubmit={save} aria-label="Data retention">
        <p className="muted">
          Traces and their payloads, sessions, turns and telemetry older than this are deleted by DynamoDB's
          TTL. Daily rollups (counts, tokens, cost) stay, so analytics keep their history.
        </p>
        <label className="check">
          <input
            type="checkbox"
            checked={forever}
            disabled={!editable}
            onChange={(event) => setForever(event.target.checked)}
          />{" "}
          Keep everything forever
        </label>
        {forever ? null : (
          <Field label="Keep for (days, 1 to 3650)">
            {(id) => (
              <input
                id={id}
                name="days"
                type="number"
                min={1}
                max={3650}
                required
                defaultValue={org.retentionDays ?? 30}
                disabled={!editable}
              />
            )}
          </Field>
        )}
        {editable ? (
          <button className="button" type="submit" disabled={change.isPending}>
            Save retention
          </button>
        ) : null}
        {job.data ? (
          <p className="muted" role="status">
            Re-stamping stored data:{" "}
            <Badge tone={job.data.status === "succeeded" ? "good" : "info"}>{job.data.status}</Badge>{" "}
            {job.data.progress?.done ?? 0} sessions and traces looked at
          </p>
        ) : null}
        <FormError error={change.error} />
      </form>
    </Card>
  );
}

/** OWNER only: typing the slug deletes the org; keys and members are cut off at once. */
function DeleteOrg({ org }: { org: Org }) {
  const navigate = useNavigate();
  const logOut = useLogOut();
  const [typed, setTyped] = useState("");
  const erase = useChange(() => api.delete<Job>("org", { confirm: typed }), []);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    erase.mutate(undefined, {
      onSuccess: () => logOut.mutate(undefined, { onSettled: () => navigate("/login?deleted=org") }),
    });
  };
  return (
    <Card title="Delete this organization">
      <form className="stack-form danger-zone" onSubmit={submit} aria-label="Delete this organization">
        <p className="muted">
          Every trace, session, eval, connector (and its credentials), key and membership of{" "}
          <strong>{org.name}</strong> is erased. Its API keys stop working at once; members keep their other
          organizations. This cannot be undone.
        </p>
        <Field label={`Type ${org.slug} to confirm`}>
          {(id) => (
            <input
              id={id}
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              autoComplete="off"
            />
          )}
        </Field>
        <button className="button danger" type="submit" disabled={typed !== org.slug || erase.isPending}>
          Delete organization
        </button>
        <FormError error={erase.error} />
      </form>
    </Card>
  );
}

/** Anyone's own account: refused (409) while they are an org's last OWNER. */
function DeleteAccount() {
  const navigate = useNavigate();
  const logOut = useLogOut();
  const erase = useChange((password: string) => api.delete<void>("me", { password }), []);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    const values = formValues(event);
    erase.mutate(values.password ?? "", {
      onSuccess: () => logOut.mutate(undefined, { onSettled: () => navigate("/login?deleted=account") }),
    });
  };
  return (
    <Card title="Your account">
      <form className="stack-form danger-zone" onSubmit={submit} aria-label="Delete my account">
        <p className="muted">
          Deleting your account removes you from every organization. The last owner of an organization must
          make someone else owner, or delete the organization, first.
        </p>
        <Field label="Your password">
          {(id) => <input id={id} name="password" type="password" autoComplete="current-password" required />}
        </Field>
        <button className="button danger" type="submit" disabled={erase.isPending}>
          Delete my account
        </button>
        <FormError error={erase.error} />
      </form>
    </Card>
  );
}

export function Policies() {
  const [agentId, setAgentId] = useState("");
  const policies = useList<Policy>("policies", { agentId: agentId || undefined });
  const isAdmin = useCan("ADMIN");
  const create = useChange(
    (body: Record<string, unknown>) => api.post<Policy>("policies", body),
    ["policies"],
  );
  const remove = useChange((policyId: string) => api.delete(`policies/${policyId}`), ["policies"]);
  return (
    <>
      <PageHeader title="Policies" subtitle="Rate limits on what each agent may ingest." />
      {isAdmin ? (
        <Card title="New rate limit">
          <form
            className="inline-form"
            onSubmit={(event) => {
              const data = formValues(event);
              create.mutate({
                agentId,
                type: "rate_limit",
                limit: Number(data.limit),
                windowSeconds: Number(data.windowSeconds),
                per: data.per,
              });
            }}
          >
            <AgentSelect value={agentId} onChange={setAgentId} label="For agent" />
            <Field label="Limit">
              {(id) => <input id={id} name="limit" type="number" min={1} required defaultValue={100} />}
            </Field>
            <Field label="Window (seconds)">
              {(id) => (
                <input id={id} name="windowSeconds" type="number" min={1} required defaultValue={60} />
              )}
            </Field>
            <label className="filter">
              Per
              <select name="per" defaultValue="agent">
                <option value="agent">agent</option>
                <option value="user">user</option>
                <option value="session">session</option>
              </select>
            </label>
            <button className="button" type="submit" disabled={create.isPending || !agentId}>
              Add policy
            </button>
          </form>
          <FormError error={create.error} />
        </Card>
      ) : null}
      <Card title="Policies">
        <ListTable
          query={policies}
          rowKey={(policy) => policy.id}
          columns={[
            {
              header: "Agent",
              cell: (policy) => <Link to={`/agents/${policy.agentId}`}>{policy.agentId}</Link>,
            },
            { header: "Limit", cell: (policy) => policy.limit, numeric: true },
            { header: "Window", cell: (policy) => <>{policy.windowSeconds} s</>, numeric: true },
            { header: "Per", cell: (policy) => policy.per },
            { header: "Enabled", cell: (policy) => (policy.enabled ? "yes" : "no") },
            {
              header: null,
              cell: (policy) => (
                <>
                  {isAdmin ? (
                    <Confirm
                      label="Delete"
                      confirm="Delete this policy?"
                      onConfirm={() => remove.mutate(policy.id)}
                    />
                  ) : null}
                </>
              ),
            },
          ]}
        />
      </Card>
    </>
  );
}

export function Pricing() {
  const prices = useList<PriceEntry>("pricing");
  const isAdmin = useCan("ADMIN");
  const set = useChange(
    (data: Record<string, string>) =>
      api.put(`pricing/${encodeURIComponent(data.modelPrefix ?? "")}`, {
        inputPerMTok: Number(data.inputPerMTok),
        outputPerMTok: Number(data.outputPerMTok),
      }),
    ["pricing"],
  );
  const remove = useChange(
    (prefix: string) => api.delete(`pricing/${encodeURIComponent(prefix)}`),
    ["pricing"],
  );
  return (
    <>
      <PageHeader
        title="Pricing"
        subtitle="What each model costs per million tokens; your overrides win over the built-in table."
      />
      {isAdmin ? (
        <Card title="Override a price">
          <form className="inline-form" onSubmit={(event) => set.mutate(formValues(event))}>
            <Field label="Model prefix">
              {(id) => <input id={id} name="modelPrefix" required placeholder="gpt-4o-mini" />}
            </Field>
            <Field label="Input $ / M tokens">
              {(id) => <input id={id} name="inputPerMTok" type="number" min={0} step="any" required />}
            </Field>
            <Field label="Output $ / M tokens">
              {(id) => <input id={id} name="outputPerMTok" type="number" min={0} step="any" required />}
            </Field>
            <button className="button" type="submit" disabled={set.isPending}>
              Save price
            </button>
          </form>
          <FormError error={set.error} />
        </Card>
      ) : null}
      <Card title="Prices">
        <ListTable
          query={prices}
          rowKey={(price) => price.modelPrefix}
          columns={[
            { header: "Model prefix", cell: (price) => <code>{price.modelPrefix}</code> },
            { header: "Input", cell: (price) => formatUsd(price.inputPerMTok), numeric: true },
            { header: "Output", cell: (price) => formatUsd(price.outputPerMTok), numeric: true },
            { header: "Cache read", cell: (price) => formatUsd(price.cacheReadPerMTok), numeric: true },
            {
              header: "Source",
              cell: (price) =>
                price.source === "org" ? <Badge tone="info">override</Badge> : <Badge>built-in</Badge>,
            },
            {
              header: null,
              cell: (price) => (
                <>
                  {isAdmin && price.source === "org" ? (
                    <Confirm
                      label="Remove"
                      confirm="Remove this override?"
                      onConfirm={() => remove.mutate(price.modelPrefix)}
                    />
                  ) : null}
                </>
              ),
            },
          ]}
        />
      </Card>
    </>
  );
}

export function Drift() {
  const [agentId, setAgentId] = useState("");
  const reports = useList<DriftReport>("drift/reports", { agentId: agentId || undefined });
  return (
    <>
      <PageHeader title="Drift" subtitle="How far each version of an agent has moved from its baseline." />
      <search className="filters" aria-label="Filter drift reports">
        <AgentSelect value={agentId} onChange={setAgentId} />
      </search>
      <Card>
        <ListTable
          query={reports}
          rowKey={(report) => report.id}
          columns={[
            {
              header: "Report",
              cell: (report) => <Link to={`/drift/${report.id}`}>{report.snapshotId}</Link>,
            },
            { header: "Agent", cell: (report) => report.agentId },
            { header: "Score", cell: (report) => report.score.toFixed(2), numeric: true },
            {
              header: "Severity",
              cell: (report) => (
                <>
                  {report.severity ? (
                    <Badge tone={report.severity === "low" ? "info" : "bad"}>{report.severity}</Badge>
                  ) : (
                    <Badge tone="good">none</Badge>
                  )}
                </>
              ),
            },
            { header: "When", cell: (report) => formatTime(report.createdAt) },
          ]}
        />
      </Card>
    </>
  );
}

export function DriftPage() {
  const { reportId = "" } = useParams();
  const report = useOne<DriftReport>(`drift/reports/${reportId}`);
  return (
    <Loaded query={report}>
      {(found) => (
        <>
          <PageHeader
            title={`Drift ${found.score.toFixed(2)}`}
            subtitle={`${found.snapshotId} against baseline ${found.baselineSnapshotId}`}
          />
          <Card title="What changed">
            <ul>
              {found.explanation.map((line) => (
                <li key={String(line)}>{String(line)}</li>
              ))}
            </ul>
          </Card>
          <Card title="Components">
            <DataTable
              rows={found.components}
              rowKey={(component) => component.name}
              columns={[
                { header: "Component", cell: (component) => component.name },
                { header: "Score", cell: (component) => component.score.toFixed(2), numeric: true },
                { header: "Weight", cell: (component) => component.weight, numeric: true },
                {
                  header: "Detail",
                  cell: (component) => (
                    <Preformatted small label={`${component.name} detail`}>
                      {JSON.stringify(component.detail, null, 2)}
                    </Preformatted>
                  ),
                },
              ]}
            />
          </Card>
        </>
      )}
    </Loaded>
  );
}

export function Insights() {
  const insights = useList<Insight>("insights");
  return (
    <>
      <PageHeader title="Insights" subtitle="Sessions that went wrong, and why." />
      <Card>
        <ListTable
          query={insights}
          rowKey={(insight) => insight.id}
          columns={[
            { header: "Rule", cell: (insight) => <Badge tone="warn">{insight.rule}</Badge> },
            { header: "Why", cell: (insight) => insight.reason },
            {
              header: "Session",
              cell: (insight) => <Link to={`/sessions/${insight.sessionId}`}>{insight.sessionId}</Link>,
            },
            { header: "Detected", cell: (insight) => formatTime(insight.detectedAt) },
          ]}
        />
      </Card>
    </>
  );
}

export function Connectors() {
  const connectors = useList<Connector>("connectors");
  const canWrite = useCan("MEMBER");
  const [agentId, setAgentId] = useState("");
  const [provider, setProvider] = useState("langsmith");
  const create = useChange(
    (body: Record<string, unknown>) => api.post<Connector>("connectors", body),
    ["connectors"],
  );
  const connect = useChange((id: string) => api.post(`connectors/${id}/connect`), ["connectors", "jobs"]);
  const sync = useChange(
    ({ id, from, to }: { id: string; from?: string; to?: string }) =>
      api.post<Job>(`connectors/${id}/sync`, { from, to }),
    ["connectors", "jobs"],
  );
  return (
    <>
      <PageHeader
        title="Connectors"
        subtitle="Import LLM traces from LangSmith and session data from FullStory."
      />
      {canWrite ? (
        <Card title="New connector">
          <form
            className="stack-form"
            onSubmit={(event) => {
              const data = formValues(event);
              const config =
                provider === "langsmith"
                  ? { apiKey: data.apiKey, projectName: data.project }
                  : { apiKey: data.apiKey };
              create.mutate({
                agentId,
                name: data.name,
                provider,
                category: provider === "langsmith" ? "llm-tracing" : "session-data",
                config,
              });
            }}
          >
            <AgentSelect value={agentId} onChange={setAgentId} label="For agent" />
            <label className="filter">
              Provider
              <select value={provider} onChange={(event) => setProvider(event.target.value)}>
                <option value="langsmith">LangSmith</option>
                <option value="fullstory">FullStory</option>
              </select>
            </label>
            <Field label="Name">{(id) => <input id={id} name="name" required />}</Field>
            <Field label="API key" hint="Write-only: kept in Secrets Manager and never shown again.">
              {(id) => <input id={id} name="apiKey" type="password" autoComplete="off" required />}
            </Field>
            {provider === "langsmith" ? (
              <Field label="Project">{(id) => <input id={id} name="project" required />}</Field>
            ) : null}
            <button className="button" type="submit" disabled={create.isPending || !agentId}>
              Create connector
            </button>
            <FormError error={create.error} />
          </form>
        </Card>
      ) : null}
      <Card title="Connectors">
        <ListTable
          query={connectors}
          rowKey={(connector) => connector.id}
          columns={[
            { header: "Name", cell: (connector) => connector.name },
            { header: "Provider", cell: (connector) => connector.provider },
            {
              header: "Status",
              cell: (connector) => (
                <>
                  <Badge tone={connector.status === "connected" ? "good" : "neutral"}>
                    {connector.status}
                  </Badge>
                </>
              ),
            },
            { header: "Synced through", cell: (connector) => formatTime(connector.syncedThrough) },
            {
              header: "Last job",
              cell: (connector) => (
                <>
                  {connector.lastJobId ? (
                    <Link to={`/jobs?focus=${connector.lastJobId}`}>{connector.lastJobId}</Link>
                  ) : (
                    "—"
                  )}
                </>
              ),
            },
            {
              header: null,
              cell: (connector) => (
                <>
                  {canWrite ? (
                    connector.status === "connected" ? (
                      <form
                        className="inline-form compact"
                        aria-label={`Sync ${connector.name}`}
                        onSubmit={(event) => {
                          const range = formValues(event);
                          sync.mutate({
                            id: connector.id,
                            from: range.from ? new Date(range.from).toISOString() : undefined,
                            to: range.to ? new Date(range.to).toISOString() : undefined,
                          });
                        }}
                      >
                        <label className="filter">
                          From
                          <input type="date" name="from" />
                        </label>
                        <label className="filter">
                          To
                          <input type="date" name="to" />
                        </label>
                        <button type="submit" className="button secondary small">
                          Sync
                        </button>
                      </form>
                    ) : (
                      <button
                        type="button"
                        className="button secondary small"
                        onClick={() => connect.mutate(connector.id)}
                      >
                        Connect
                      </button>
                    )
                  ) : null}
                </>
              ),
            },
          ]}
        />
        <FormError error={connect.error ?? sync.error} />
      </Card>
    </>
  );
}

export function Jobs() {
  const jobs = useList<Job>("jobs", {}, { refetchInterval: 3000 });
  return (
    <>
      <PageHeader title="Jobs" subtitle="Imports and other background work, with progress and errors." />
      <Card>
        <ListTable
          query={jobs}
          rowKey={(job) => job.id}
          columns={[
            { header: "Job", cell: (job) => <code>{job.id}</code> },
            { header: "Type", cell: (job) => job.type },
            {
              header: "Status",
              cell: (job) => (
                <>
                  <Badge
                    tone={job.status === "succeeded" ? "good" : job.status === "failed" ? "bad" : "info"}
                  >
                    {job.status}
                  </Badge>
                </>
              ),
            },
            { header: "Progress", cell: (job) => JSON.stringify(job.progress ?? {}) },
            { header: "Created", cell: (job) => formatTime(job.createdAt) },
            { header: "Error", cell: (job) => job.error ?? "—", className: "clip" },
          ]}
        />
      </Card>
    </>
  );
}
