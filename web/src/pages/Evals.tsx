import { type FormEvent, useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError, api, type Schemas } from "../api";
import { DataTable, ListTable } from "../components/DataTable";
import {
  Badge,
  Card,
  Confirm,
  Field,
  FormError,
  formatTime,
  Loaded,
  PageHeader,
  Totals,
} from "../components/ui";
import { useChange, useList, useOne } from "../queries";
import { useCan } from "../session";
import { AgentSelect } from "./Sessions";

type Suite = Schemas["Suite"];
type Case = Schemas["Case"];
type Run = Schemas["Run"];
type Result = Schemas["Result"];
type Template = Schemas["Template"];
type Comparison = Schemas["Comparison"];

function percent(value?: number | null): string {
  return value === undefined || value === null ? "—" : `${Math.round(value * 100)}%`;
}

export function RunStatus({ run }: { run: Run }) {
  const tone = run.status === "COMPLETED" ? "good" : run.status === "RUNNING" ? "info" : "bad";
  return <Badge tone={tone}>{run.status}</Badge>;
}

export function Evals() {
  const [agentId, setAgentId] = useState("");
  const suites = useList<Suite>("evals/suites", { agentId: agentId || undefined });
  const runs = useList<Run>("evals/runs", { agentId: agentId || undefined });
  const canWrite = useCan("MEMBER");
  const [newAgent, setNewAgent] = useState("");
  const create = useChange(
    (body: { agentId: string; name: string }) => api.post<Suite>("evals/suites", body),
    ["evals/suites"],
  );
  return (
    <>
      <PageHeader
        title="Evals"
        subtitle="Suites of cases with assertions; runs grade a version of an agent against them."
      />
      <search className="filters" aria-label="Filter evals">
        <AgentSelect value={agentId} onChange={setAgentId} />
      </search>
      {canWrite ? (
        <Card title="New suite">
          <form
            className="inline-form"
            onSubmit={(event: FormEvent<HTMLFormElement>) => {
              event.preventDefault();
              const name = String(new FormData(event.currentTarget).get("name"));
              create.mutate({ agentId: newAgent, name });
            }}
          >
            <AgentSelect value={newAgent} onChange={setNewAgent} label="For agent" />
            <Field label="Suite name">{(id) => <input id={id} name="name" required maxLength={200} />}</Field>
            <button className="button" type="submit" disabled={create.isPending || !newAgent}>
              Create suite
            </button>
          </form>
          <FormError error={create.error} />
        </Card>
      ) : null}
      <div className="two-columns">
        <Card title="Suites">
          <ListTable
            query={suites}
            rowKey={(suite) => suite.id}
            columns={[
              {
                header: "Suite",
                cell: (suite) => <Link to={`/evals/suites/${suite.id}`}>{suite.name}</Link>,
              },
              { header: "Updated", cell: (suite) => formatTime(suite.updatedAt) },
            ]}
          />
        </Card>
        <Card title="Recent runs">
          <RunsTable query={runs} />
        </Card>
      </div>
    </>
  );
}

function RunsTable({ query }: { query: ReturnType<typeof useList<Run>> }) {
  return (
    <ListTable
      query={query}
      rowKey={(run) => run.id}
      columns={[
        { header: "Run", cell: (run) => <Link to={`/evals/runs/${run.id}`}>{run.id}</Link> },
        { header: "Status", cell: (run) => <RunStatus run={run} /> },
        { header: "Pass rate", cell: (run) => percent(run.passRate), numeric: true },
        { header: "Started", cell: (run) => formatTime(run.startedAt) },
      ]}
    />
  );
}

const EXAMPLE = '[{"type": "contains", "value": "refund"}]';

function CaseEditor({
  suiteId,
  existing,
  onDone,
}: {
  suiteId: string;
  existing?: Case;
  onDone?: () => void;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  const save = useChange(
    (body: Record<string, unknown>) =>
      existing
        ? api.patch<Case>(`evals/cases/${existing.id}`, body)
        : api.post(`evals/suites/${suiteId}/cases`, { cases: [body] }),
    [`evals/suites/${suiteId}`],
  );
  return (
    <form
      className="stack-form"
      onSubmit={(event) => {
        event.preventDefault();
        const data = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
        let assertions: unknown;
        try {
          assertions = JSON.parse(data.assertions || "[]");
        } catch {
          setProblem(`Assertions must be a JSON list, for example ${EXAMPLE}`);
          return;
        }
        setProblem(null);
        const body: Record<string, unknown> = { name: data.name || null, input: data.input, assertions };
        if (data.expected) body.expected = data.expected;
        save.mutate(body, { onSuccess: () => onDone?.() });
      }}
    >
      <Field label="Case name">
        {(id) => <input id={id} name="name" defaultValue={existing?.name ?? ""} />}
      </Field>
      <Field label="Input">
        {(id) => (
          <textarea
            id={id}
            name="input"
            rows={2}
            required
            defaultValue={
              typeof existing?.input === "string" ? existing.input : JSON.stringify(existing?.input ?? "")
            }
          />
        )}
      </Field>
      <Field label="Expected (optional)">
        {(id) => (
          <input
            id={id}
            name="expected"
            defaultValue={typeof existing?.expected === "string" ? existing.expected : ""}
          />
        )}
      </Field>
      <Field
        label="Assertions (JSON)"
        hint="Types: equals, contains, not_contains, regex, json_schema, json_path_equals, numeric_close, max_latency_ms."
      >
        {(id) => (
          <textarea
            id={id}
            name="assertions"
            rows={4}
            className="code"
            defaultValue={existing ? JSON.stringify(existing.assertions, null, 2) : EXAMPLE}
          />
        )}
      </Field>
      {problem ? (
        <p className="form-error" role="alert">
          {problem}
        </p>
      ) : null}
      <FormError error={save.error} />
      <button className="button" type="submit" disabled={save.isPending}>
        {existing ? "Save case" : "Add case"}
      </button>
    </form>
  );
}

function Templates({ suiteId }: { suiteId: string }) {
  const templates = useOne<{ items: Template[] }>("evals/templates");
  const [said, setSaid] = useState<string | null>(null);
  const importing = useChange(
    (templateId: string) => api.post<{ imported: number }>(`evals/suites/${suiteId}/import`, { templateId }),
    [`evals/suites/${suiteId}`],
  );
  return (
    <Card title="Templates">
      <Loaded query={templates} empty={(answer) => answer.items.length === 0}>
        {(answer) => (
          <ul className="plain">
            {answer.items.map((template) => (
              <li key={template.id}>
                <strong>{template.name}</strong> <span className="muted">{template.description}</span>{" "}
                <button
                  type="button"
                  className="button secondary small"
                  onClick={() =>
                    importing.mutate(template.id, {
                      onSuccess: (done) => setSaid(`Imported ${done.imported} cases from ${template.name}.`),
                      onError: (error) =>
                        setSaid(
                          error instanceof ApiError && error.status === 409
                            ? `${template.name} is already imported.`
                            : String(error.message),
                        ),
                    })
                  }
                >
                  Import
                </button>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      {said ? <p role="status">{said}</p> : null}
    </Card>
  );
}

function StartRun({ suite }: { suite: Suite }) {
  const navigate = useNavigate();
  const [mode, setMode] = useState<"submit" | "endpoint">("endpoint");
  const start = useChange(
    (body: Record<string, unknown>) => api.post<Run>("evals/runs", body),
    ["evals/runs"],
  );
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        const url = String(new FormData(event.currentTarget).get("url") ?? "");
        const body =
          mode === "endpoint" ? { suiteId: suite.id, mode, target: { url } } : { suiteId: suite.id, mode };
        start.mutate(body, { onSuccess: (run) => navigate(`/evals/runs/${run.id}`) });
      }}
    >
      <label className="filter">
        Mode
        <select value={mode} onChange={(event) => setMode(event.target.value as "submit" | "endpoint")}>
          <option value="endpoint">Endpoint: Grounded calls your agent</option>
          <option value="submit">Submit: you post the outputs</option>
        </select>
      </label>
      {mode === "endpoint" ? (
        <Field label="Agent URL">
          {(id) => (
            <input id={id} name="url" type="url" required placeholder="https://agent.example.com/eval" />
          )}
        </Field>
      ) : null}
      <button className="button" type="submit" disabled={start.isPending}>
        Start run
      </button>
      <FormError error={start.error} />
    </form>
  );
}

export function SuitePage() {
  const { suiteId = "" } = useParams();
  const suite = useOne<Suite>(`evals/suites/${suiteId}`);
  const cases = useList<Case>(`evals/suites/${suiteId}/cases`);
  const runs = useList<Run>("evals/runs", { suiteId });
  const [editing, setEditing] = useState<string | null>(null);
  const editingCase = cases.data?.items.find((item) => item.id === editing);
  const canWrite = useCan("MEMBER");
  const remove = useChange(
    (caseId: string) => api.delete(`evals/cases/${caseId}`),
    [`evals/suites/${suiteId}`],
  );
  return (
    <Loaded query={suite}>
      {(found) => (
        <>
          <PageHeader title={found.name} subtitle={found.description ?? <code>{found.id}</code>} />
          {canWrite ? (
            <Card title="Run this suite">
              <StartRun suite={found} />
            </Card>
          ) : null}
          <Card title="Cases">
            {editingCase ? (
              <Card title={`Edit ${editingCase.name ?? editingCase.id}`}>
                <CaseEditor suiteId={suiteId} existing={editingCase} onDone={() => setEditing(null)} />
              </Card>
            ) : null}
            <ListTable
              query={cases}
              rowKey={(item) => item.id}
              columns={[
                { header: "Case", cell: (item) => item.name ?? item.id },
                {
                  header: "Input",
                  cell: (item) => (typeof item.input === "string" ? item.input : JSON.stringify(item.input)),
                  className: "clip",
                },
                {
                  header: "Assertions",
                  cell: (item) =>
                    item.assertions.map((assertion) => (assertion as { type: string }).type).join(", "),
                },
                {
                  header: "From",
                  cell: (item) =>
                    item.source ? <Link to={`/traces/${item.source.traceId}`}>production trace</Link> : "—",
                },
                {
                  header: null,
                  cell: (item) =>
                    canWrite ? (
                      <>
                        <button
                          type="button"
                          className="button secondary small"
                          onClick={() => setEditing(item.id)}
                        >
                          Edit
                        </button>
                        <Confirm
                          label="Delete"
                          confirm="Delete this case?"
                          onConfirm={() => remove.mutate(item.id)}
                        />
                      </>
                    ) : null,
                },
              ]}
            />
            {canWrite ? (
              <details className="publish">
                <summary>Add a case</summary>
                <CaseEditor suiteId={suiteId} />
              </details>
            ) : null}
          </Card>
          {canWrite ? <Templates suiteId={suiteId} /> : null}
          <Card title="Runs">
            <RunsTable query={runs} />
          </Card>
        </>
      )}
    </Loaded>
  );
}

export function RunPage() {
  const { runId = "" } = useParams();
  const run = useOne<Run>(`evals/runs/${runId}`, (data) => (data?.status === "RUNNING" ? 1000 : false));
  const results = useList<Result>(
    `evals/runs/${runId}/results`,
    {},
    { refetchInterval: run.data?.status === "RUNNING" ? 1500 : false },
  );
  const others = useList<Run>("evals/runs", { suiteId: run.data?.suiteId });
  const navigate = useNavigate();
  const status = run.data?.status;
  const refetchResults = results.refetch;
  useEffect(() => {
    if (status && status !== "RUNNING") void refetchResults(); // the last results came with the end
  }, [status, refetchResults]);
  return (
    <Loaded query={run}>
      {(found) => {
        const done = (found.passed ?? 0) + (found.failed ?? 0) + (found.errored ?? 0);
        return (
          <>
            <PageHeader
              title={`Run ${found.id}`}
              subtitle={<Link to={`/evals/suites/${found.suiteId}`}>Back to the suite</Link>}
            />
            <Totals
              items={[
                ["Status", <RunStatus run={found} />],
                ["Pass rate", percent(found.passRate)],
                ["Passed", found.passed],
                ["Failed", found.failed],
                ["Errors", found.errored],
              ]}
            />
            <progress
              className="run-progress"
              max={Math.max(1, found.total ?? 0)}
              value={done}
              aria-label="Cases graded"
            >
              {done} of {found.total}
            </progress>
            {found.reason ? <p className="notice">{found.reason}</p> : null}
            <label className="filter">
              Compare with
              <select
                defaultValue=""
                onChange={(event) =>
                  event.target.value && navigate(`/evals/runs/${found.id}/compare/${event.target.value}`)
                }
              >
                <option value="">another run…</option>
                {others.data?.items
                  .filter((other) => other.id !== found.id)
                  .map((other) => (
                    <option key={other.id} value={other.id}>
                      {other.id} ({percent(other.passRate)})
                    </option>
                  ))}
              </select>
            </label>
            <Card title="Results">
              <ListTable
                query={results}
                rowKey={(result) => result.caseId}
                columns={[
                  { header: "Case", cell: (result) => result.caseName ?? result.caseId },
                  {
                    header: "Verdict",
                    cell: (result) => (
                      <Badge tone={result.verdict === "pass" ? "good" : "bad"}>{result.verdict}</Badge>
                    ),
                  },
                  {
                    header: "Output",
                    cell: (result) => (
                      <>
                        {result.error ??
                          (typeof result.output === "string" ? result.output : JSON.stringify(result.output))}
                      </>
                    ),
                    className: "clip",
                  },
                  {
                    header: "Assertions",
                    cell: (result) => (
                      <>
                        <ul className="plain">
                          {result.assertions.map((checked, index) => (
                            <li key={`${checked.type}-${index}`}>
                              <Badge tone={checked.outcome === "pass" ? "good" : "bad"}>
                                {checked.outcome}
                              </Badge>{" "}
                              {checked.type}
                              {checked.reason ? <span className="muted"> — {checked.reason}</span> : null}
                            </li>
                          ))}
                        </ul>
                      </>
                    ),
                  },
                ]}
              />
            </Card>
          </>
        );
      }}
    </Loaded>
  );
}

export function ComparePage() {
  const { runId = "", otherRunId = "" } = useParams();
  const comparison = useOne<Comparison>(`evals/runs/${runId}/compare/${otherRunId}`);
  return (
    <>
      <PageHeader title="Compare runs" subtitle={`${runId} against ${otherRunId}`} />
      <Loaded query={comparison}>
        {(found) => (
          <>
            {(
              [
                ["Regressions", found.regressions, "bad"],
                ["Fixes", found.fixes, "good"],
              ] as const
            ).map(([title, diffs, tone]) => (
              <Card key={title} title={`${title} (${diffs.length})`}>
                {diffs.length === 0 ? (
                  <p className="muted">None.</p>
                ) : (
                  <DataTable
                    rows={diffs}
                    rowKey={(diff) => diff.caseId}
                    columns={[
                      { header: "Case", cell: (diff) => diff.caseName ?? diff.caseId },
                      { header: "Before", cell: (diff) => diff.before ?? "—" },
                      { header: "After", cell: (diff) => <Badge tone={tone}>{diff.after ?? "—"}</Badge> },
                    ]}
                  />
                )}
              </Card>
            ))}
            <p className="muted">{found.unchanged} cases unchanged.</p>
          </>
        )}
      </Loaded>
    </>
  );
}
