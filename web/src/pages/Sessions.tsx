import { useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { api, type Schemas } from "../api";
import { AddToSuite } from "../components/AddToSuite";
import { ListTable } from "../components/DataTable";
import { ScoresCard } from "../components/Scores";
import {
  Badge,
  Card,
  Confirm,
  FormError,
  formatNumber,
  formatTime,
  formatUsd,
  Loaded,
  PageHeader,
  Totals,
} from "../components/ui";
import { Waterfall } from "../components/Waterfall";
import { useChange, useList, useOne } from "../queries";
import { useCan } from "../session";

type SessionView = Schemas["SessionView"];
type Entry = Schemas["TimelineEntry"];
type TraceView = Schemas["TraceView"];
type Agent = Schemas["Agent"];
type Insight = Schemas["Insight"];

const RANGES: [string, number | null][] = [
  ["Last 24 hours", 1],
  ["Last 7 days", 7],
  ["Last 30 days", 30],
  ["All time", null],
];

function since(days: number | null): string | undefined {
  return days === null ? undefined : new Date(Date.now() - days * 86_400_000).toISOString();
}

export function AgentSelect({
  value,
  onChange,
  label = "Agent",
}: {
  value: string;
  onChange: (id: string) => void;
  label?: string;
}) {
  const agents = useList<Agent>("agents");
  return (
    <label className="filter">
      {label}
      <select value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">All agents</option>
        {agents.data?.items.map((agent) => (
          <option key={agent.id} value={agent.id}>
            {agent.name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Sessions() {
  const [params, setParams] = useSearchParams();
  const agentId = params.get("agentId") ?? "";
  const [days, setDays] = useState<number | null>(7);
  const [userId, setUserId] = useState("");
  const [errorsOnly, setErrorsOnly] = useState(false);
  const [flagged, setFlagged] = useState(false);
  const [minCost, setMinCost] = useState("");
  const from = useMemo(() => since(days), [days]); // one instant per choice, not per render
  const sessions = useList<SessionView>("sessions", {
    agentId: agentId || undefined,
    userId: userId || undefined,
    from,
    hasErrors: errorsOnly || undefined,
  });
  const insights = useList<Insight>("insights", { agentId: agentId || undefined });
  const flaggedIds = new Set(insights.data?.items.map((insight) => insight.sessionId));
  const matches = (session: SessionView) =>
    (!flagged || flaggedIds.has(session.id)) && (!minCost || (session.costUsd ?? 0) >= Number(minCost));
  return (
    <>
      <PageHeader
        title="Sessions"
        subtitle="Conversations and visits: backend traces, turns and browser events, stitched."
      />
      <search className="filters" aria-label="Filter sessions">
        <AgentSelect value={agentId} onChange={(id) => setParams(id ? { agentId: id } : {})} />
        <label className="filter">
          Time range
          <select
            value={String(days)}
            onChange={(event) => setDays(event.target.value === "null" ? null : Number(event.target.value))}
          >
            {RANGES.map(([label, value]) => (
              <option key={label} value={String(value)}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          User
          <input value={userId} onChange={(event) => setUserId(event.target.value)} placeholder="user id" />
        </label>
        <label className="filter">
          Min cost ($)
          <input
            type="number"
            min={0}
            step={0.0001}
            value={minCost}
            onChange={(event) => setMinCost(event.target.value)}
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={errorsOnly}
            onChange={(event) => setErrorsOnly(event.target.checked)}
          />{" "}
          With errors
        </label>
        <label className="check">
          <input type="checkbox" checked={flagged} onChange={(event) => setFlagged(event.target.checked)} />{" "}
          Flagged by insights
        </label>
      </search>
      <Card>
        <ListTable
          query={sessions}
          only={matches}
          rowKey={(session) => session.id}
          columns={[
            {
              header: "Session",
              cell: (session) => (
                <Link to={`/sessions/${session.id}`}>{session.externalId ?? session.id}</Link>
              ),
            },
            { header: "User", cell: (session) => session.userId ?? session.anonymousId ?? "—" },
            { header: "Started", cell: (session) => formatTime(session.startedAt) },
            { header: "Traces", cell: (session) => session.traces, numeric: true },
            { header: "Turns", cell: (session) => session.turns, numeric: true },
            { header: "Events", cell: (session) => session.events, numeric: true },
            {
              header: "Tokens",
              cell: (session) =>
                formatNumber(session.tokens.input + session.tokens.output + session.tokens.cacheRead),
              numeric: true,
            },
            { header: "Cost", cell: (session) => formatUsd(session.costUsd), numeric: true },
            {
              header: "Status",
              cell: (session) => (
                <>
                  {session.hasErrors ? <Badge tone="bad">errors</Badge> : <Badge tone="good">ok</Badge>}{" "}
                  {flaggedIds.has(session.id) ? <Badge tone="warn">flagged</Badge> : null}
                </>
              ),
            },
          ]}
        />
      </Card>
    </>
  );
}

function TraceEntry({ entry }: { entry: Entry }) {
  const [open, setOpen] = useState(false);
  const data = entry.data as {
    id: string;
    name?: string;
    status?: string;
    spanCount?: number;
    costUsd?: number;
    error?: string;
  };
  const trace = useOne<TraceView>(open ? `traces/${data.id}` : null);
  return (
    <div>
      <button type="button" className="link-button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "▾" : "▸"} Trace <strong>{data.name ?? data.id}</strong>
      </button>{" "}
      <span className="muted">
        {data.spanCount ?? 0} spans · {formatUsd(data.costUsd)}
      </span>{" "}
      {data.status === "error" ? <Badge tone="bad">error</Badge> : null}{" "}
      <Link to={`/traces/${data.id}`}>Open</Link>
      {open ? (
        <Loaded query={trace}>
          {(found) =>
            Array.isArray(found.spans) ? (
              <Waterfall spans={found.spans} />
            ) : (
              <p>Spans are stored as a payload.</p>
            )
          }
        </Loaded>
      ) : null}
    </div>
  );
}

/** A turn; a user's question asked in a trace can become a test case (with the answer it got). */
function TurnEntry({ data, agentId }: { data: Record<string, unknown>; agentId: string }) {
  const [adding, setAdding] = useState(false);
  const traceId = typeof data.traceId === "string" ? data.traceId : null;
  return (
    <div>
      <Badge tone={data.role === "user" ? "neutral" : "info"}>{String(data.role)}</Badge>{" "}
      <span className="turn">{String(data.content ?? "")}</span>{" "}
      {traceId && data.role === "user" ? (
        <button
          type="button"
          className="link-button"
          aria-expanded={adding}
          onClick={() => setAdding(!adding)}
        >
          Add to suite
        </button>
      ) : null}
      {adding && traceId ? <AddToSuite traceId={traceId} agentId={agentId} turnId={String(data.id)} /> : null}
    </div>
  );
}

function describe(entry: Entry, agentId: string) {
  const data = entry.data as Record<string, unknown>;
  if (entry.kind === "trace") return <TraceEntry entry={entry} />;
  if (entry.kind === "turn") return <TurnEntry data={data} agentId={agentId} />;
  return (
    <div>
      <Badge tone={data.type === "error" ? "bad" : "neutral"}>{String(data.type)}</Badge> {String(data.name)}{" "}
      {data.url ? <span className="muted clip-inline">{String(data.url)}</span> : null}
    </div>
  );
}

export function SessionPage() {
  const { sessionId = "" } = useParams();
  const navigate = useNavigate();
  const session = useOne<SessionView>(`sessions/${sessionId}`);
  const timeline = useList<Entry>(`sessions/${sessionId}/timeline`);
  const insights = useList<Insight>("insights", {});
  const canErase = useCan("ADMIN");
  const erase = useChange(() => api.delete<void>(`sessions/${sessionId}`), ["sessions", "analytics"]);
  const raised = insights.data?.items.filter((insight) => insight.sessionId === sessionId) ?? [];
  return (
    <Loaded query={session}>
      {(found) => (
        <>
          <PageHeader
            title={`Session ${found.externalId ?? found.id}`}
            subtitle={<code>{found.id}</code>}
            actions={
              canErase ? (
                <Confirm
                  label="Erase session"
                  confirm="Erase its traces, turns and events for good?"
                  busy={erase.isPending}
                  onConfirm={() => erase.mutate(undefined, { onSuccess: () => navigate("/sessions") })}
                />
              ) : null
            }
          />
          <FormError error={erase.error} />
          <Totals
            items={[
              ["Traces", found.traces],
              ["Turns", found.turns],
              ["Events", found.events],
              ["Tokens", formatNumber(found.tokens.input + found.tokens.output + found.tokens.cacheRead)],
              ["Cost", formatUsd(found.costUsd)],
              ["Duration", <>{(found.durationMs / 1000).toFixed(1)} s</>],
            ]}
          />
          {raised.length > 0 ? (
            <Card title="Insights">
              <ul>
                {raised.map((insight) => (
                  <li key={insight.id}>
                    <Badge tone="warn">{insight.rule}</Badge> {insight.reason}
                  </li>
                ))}
              </ul>
            </Card>
          ) : null}
          <ScoresCard target={{ sessionId: found.id }} />
          <Card title="Timeline">
            <Loaded query={timeline} empty={(page) => page.items.length === 0}>
              {(page) => (
                <ol className="timeline">
                  {page.items.map((entry, index) => (
                    <li key={`${entry.kind}-${index}`} className={`entry ${entry.kind}`}>
                      <time dateTime={entry.timestamp}>{new Date(entry.timestamp).toLocaleTimeString()}</time>
                      {describe(entry, found.agentId)}
                    </li>
                  ))}
                </ol>
              )}
            </Loaded>
          </Card>
        </>
      )}
    </Loaded>
  );
}
