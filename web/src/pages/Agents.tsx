import { type FormEvent, useState } from "react";
import { Link, useParams } from "react-router";
import { api, type Schemas } from "../api";
import { ListTable } from "../components/DataTable";
import { Badge, Card, Field, FormError, formatTime, Loaded, PageHeader } from "../components/ui";
import { useChange, useList, useOne } from "../queries";
import { useCan } from "../session";

type Agent = Schemas["Agent"];
type Snapshot = Schemas["Snapshot"];
type DriftReport = Schemas["DriftReport"];

function form(event: FormEvent<HTMLFormElement>): Record<string, string> {
  event.preventDefault();
  const data = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
  event.currentTarget.reset();
  return data;
}

export function Agents() {
  const agents = useList<Agent>("agents");
  const canWrite = useCan("MEMBER");
  const create = useChange(
    (body: { name: string; description?: string }) => api.post<Agent>("agents", body),
    ["agents"],
  );
  return (
    <>
      <PageHeader
        title="Agents"
        subtitle="Each agent has versions (snapshots), a baseline, and the sessions it served."
      />
      {canWrite ? (
        <Card title="New agent">
          <form className="inline-form" onSubmit={(event) => create.mutate(form(event) as { name: string })}>
            <Field label="Name">{(id) => <input id={id} name="name" required maxLength={200} />}</Field>
            <Field label="Description">{(id) => <input id={id} name="description" maxLength={2000} />}</Field>
            <button className="button" type="submit" disabled={create.isPending}>
              Create agent
            </button>
          </form>
          <FormError error={create.error} />
        </Card>
      ) : null}
      <Card title="All agents">
        <ListTable
          query={agents}
          rowKey={(agent) => agent.id}
          columns={[
            { header: "Name", cell: (agent) => <Link to={`/agents/${agent.id}`}>{agent.name}</Link> },
            { header: "Description", cell: (agent) => agent.description || "—", className: "muted" },
            {
              header: "Baseline",
              cell: (agent) => (agent.baselineSnapshotId ? <code>{agent.baselineSnapshotId}</code> : "—"),
            },
            { header: "Drift threshold", cell: (agent) => agent.driftThreshold ?? "—" },
            { header: "Created", cell: (agent) => formatTime(agent.createdAt) },
          ]}
        />
      </Card>
    </>
  );
}

function EditAgent({ agent }: { agent: Agent }) {
  const update = useChange(
    (body: Partial<Agent>) => api.patch<Agent>(`agents/${agent.id}`, body),
    ["agents"],
  );
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        const data = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
        update.mutate({
          name: data.name,
          description: data.description || null,
          driftThreshold: data.driftThreshold ? Number(data.driftThreshold) : undefined,
        });
      }}
    >
      <Field label="Name">{(id) => <input id={id} name="name" defaultValue={agent.name} required />}</Field>
      <Field label="Description">
        {(id) => <input id={id} name="description" defaultValue={agent.description ?? ""} />}
      </Field>
      <Field label="Drift threshold" hint="0–1: a drift score above it is flagged.">
        {(id) => (
          <input
            id={id}
            name="driftThreshold"
            type="number"
            min={0}
            max={1}
            step={0.01}
            defaultValue={agent.driftThreshold ?? ""}
          />
        )}
      </Field>
      <button className="button" type="submit" disabled={update.isPending}>
        Save
      </button>
      {update.isSuccess ? <span role="status">Saved</span> : null}
      <FormError error={update.error} />
    </form>
  );
}

function Versions({ agent }: { agent: Agent }) {
  const snapshots = useList<Snapshot>(`agents/${agent.id}/snapshots`);
  const canWrite = useCan("MEMBER");
  const [report, setReport] = useState<DriftReport | null>(null);
  const publish = useChange(
    (body: Record<string, string>) => api.post<Snapshot>(`agents/${agent.id}/snapshots`, body),
    [`agents/${agent.id}`],
  );
  const baseline = useChange(
    (snapshotId: string) => api.put<Agent>(`agents/${agent.id}/baseline`, { snapshotId }),
    ["agents"],
  );
  const drift = useChange(
    (snapshotId: string) => api.post<DriftReport>(`agents/${agent.id}/drift`, { snapshotId }),
    ["drift"],
  );
  return (
    <Card title="Versions">
      <ListTable
        query={snapshots}
        rowKey={(snapshot) => snapshot.id}
        columns={[
          {
            header: "Label",
            cell: (snapshot) => (
              <>
                {snapshot.label}{" "}
                {snapshot.id === agent.baselineSnapshotId ? <Badge tone="info">baseline</Badge> : null}
              </>
            ),
          },
          { header: "Model", cell: (snapshot) => <code>{snapshot.modelId}</code> },
          { header: "System prompt", cell: (snapshot) => snapshot.systemPrompt || "—", className: "clip" },
          { header: "Published", cell: (snapshot) => formatTime(snapshot.createdAt) },
          {
            header: null,
            cell: (snapshot) => (
              <>
                {canWrite && snapshot.id !== agent.baselineSnapshotId ? (
                  <button
                    type="button"
                    className="button secondary small"
                    onClick={() => baseline.mutate(snapshot.id)}
                  >
                    Set as baseline
                  </button>
                ) : null}
                {canWrite && agent.baselineSnapshotId && snapshot.id !== agent.baselineSnapshotId ? (
                  <button
                    type="button"
                    className="button secondary small"
                    onClick={() => drift.mutate(snapshot.id, { onSuccess: setReport })}
                  >
                    Check drift
                  </button>
                ) : null}
              </>
            ),
          },
        ]}
      />
      <FormError error={baseline.error ?? drift.error} />
      {report ? (
        <p role="status" className="notice">
          Drift score <strong>{report.score.toFixed(2)}</strong>{" "}
          {report.severity ? (
            <Badge tone="warn">{report.severity}</Badge>
          ) : (
            <Badge tone="good">within threshold</Badge>
          )}{" "}
          <Link to={`/drift/${report.id}`}>See the report</Link>
        </p>
      ) : null}
      {canWrite ? (
        <details className="publish">
          <summary>Publish a version</summary>
          <form className="stack-form" onSubmit={(event) => publish.mutate(form(event))}>
            <Field label="Label">{(id) => <input id={id} name="label" required placeholder="v2" />}</Field>
            <Field label="Model">
              {(id) => <input id={id} name="modelId" required placeholder="gpt-4o-mini" />}
            </Field>
            <Field label="System prompt">{(id) => <textarea id={id} name="systemPrompt" rows={4} />}</Field>
            <button className="button" type="submit" disabled={publish.isPending}>
              Publish version
            </button>
            <FormError error={publish.error} />
          </form>
        </details>
      ) : null}
    </Card>
  );
}

export function AgentPage() {
  const { agentId = "" } = useParams();
  const agent = useOne<Agent>(`agents/${agentId}`);
  const canWrite = useCan("MEMBER");
  return (
    <Loaded query={agent}>
      {(found) => (
        <>
          <PageHeader
            title={found.name}
            subtitle={<code>{found.id}</code>}
            actions={<Link to={`/sessions?agentId=${found.id}`}>Sessions</Link>}
          />
          {canWrite ? (
            <Card title="Settings">
              <EditAgent agent={found} />
            </Card>
          ) : null}
          <Versions agent={found} />
        </>
      )}
    </Loaded>
  );
}
