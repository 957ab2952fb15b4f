import { useState } from "react";
import { Link, useParams } from "react-router";
import type { Schemas } from "../api";
import { AddToSuite } from "../components/AddToSuite";
import { ListTable } from "../components/DataTable";
import { ScoresCard } from "../components/Scores";
import {
  Badge,
  Card,
  formatTime,
  formatUsd,
  Loaded,
  PageHeader,
  Preformatted,
  show,
  Totals,
} from "../components/ui";
import { Waterfall } from "../components/Waterfall";
import { useList, useOne } from "../queries";
import { AgentSelect } from "./Sessions";

type TraceView = Schemas["TraceView"];

function NormalizationBadge({ trace }: { trace: TraceView }) {
  const state = trace.normalization.state;
  const tone = state === "normalized" ? "good" : state === "unresolved" ? "bad" : "warn";
  return <Badge tone={tone}>{state}</Badge>;
}

/** What the search form asks: text, a tag, a model, a metadata `key=value`, a cost floor. */
type Searched = { q?: string; tag?: string; model?: string; minCostUsd?: string; metadata?: string };

function searchQuery(searched: Searched): Record<string, string | undefined> {
  const [key, ...value] = (searched.metadata ?? "").split("=");
  return {
    q: searched.q || undefined,
    tag: searched.tag || undefined,
    model: searched.model || undefined,
    minCostUsd: searched.minCostUsd || undefined,
    ...(key && value.length ? { [`metadata.${key.trim()}`]: value.join("=").trim() } : {}),
  };
}

export function Traces() {
  const [agentId, setAgentId] = useState("");
  const [status, setStatus] = useState("");
  const [searched, setSearched] = useState<Searched>({});
  const query = searchQuery(searched);
  const searching = Object.values(query).some(Boolean);
  const traces = useList<TraceView>("traces", {
    agentId: agentId || undefined,
    status: status || undefined,
    ...query,
  });
  return (
    <>
      <PageHeader
        title="Traces"
        subtitle="Every run of an agent: its spans, tokens, cost and how it was matched."
      />
      <search className="filters" aria-label="Filter traces">
        <AgentSelect value={agentId} onChange={setAgentId} />
        <label className="filter">
          Status
          <select value={status} onChange={(event) => setStatus(event.target.value)}>
            <option value="">Any</option>
            <option value="ok">ok</option>
            <option value="error">error</option>
          </select>
        </label>
      </search>
      <form
        className="filters search-form"
        aria-label="Search traces"
        onSubmit={(event) => {
          event.preventDefault();
          setSearched(Object.fromEntries(new FormData(event.currentTarget)) as Searched);
        }}
      >
        <label className="filter">
          Text
          <input name="q" type="search" placeholder="in input, output, errors" maxLength={200} />
        </label>
        <label className="filter">
          Metadata
          <input name="metadata" placeholder="key=value" />
        </label>
        <label className="filter">
          Tag
          <input name="tag" />
        </label>
        <label className="filter">
          Model
          <input name="model" placeholder="gpt-4o*" />
        </label>
        <label className="filter">
          Min cost (USD)
          <input name="minCostUsd" type="number" min={0} step="any" />
        </label>
        <button type="submit" className="button">
          Search
        </button>
      </form>
      {searching ? (
        <p className="muted" role="status">
          Searching the last 7 days, newest first; a page may be short when few traces match.
        </p>
      ) : null}
      <Card>
        <ListTable
          query={traces}
          rowKey={(trace) => trace.id}
          columns={[
            { header: "Trace", cell: (trace) => <Link to={`/traces/${trace.id}`}>{trace.name}</Link> },
            { header: "Started", cell: (trace) => formatTime(trace.startedAt) },
            {
              header: "Session",
              cell: (trace) => (
                <>
                  {trace.normalization.sessionId ? (
                    <Link to={`/sessions/${trace.normalization.sessionId}`}>
                      {trace.sessionId ?? trace.normalization.sessionId}
                    </Link>
                  ) : (
                    (trace.sessionId ?? "—")
                  )}
                </>
              ),
            },
            {
              header: "Status",
              cell: (trace) => (
                <>
                  {trace.status === "error" ? <Badge tone="bad">error</Badge> : <Badge tone="good">ok</Badge>}
                </>
              ),
            },
            { header: "Normalization", cell: (trace) => <NormalizationBadge trace={trace} /> },
            { header: "Cost", cell: (trace) => formatUsd(trace.costUsd), numeric: true },
          ]}
        />
      </Card>
    </>
  );
}

export function TracePage() {
  const { traceId = "" } = useParams();
  const trace = useOne<TraceView>(`traces/${traceId}`);
  return (
    <Loaded query={trace}>
      {(found) => (
        <>
          <PageHeader
            title={found.name}
            subtitle={<code>{found.id}</code>}
            actions={
              found.normalization.sessionId ? (
                <Link to={`/sessions/${found.normalization.sessionId}`}>Session</Link>
              ) : null
            }
          />
          <Totals
            items={[
              ["Status", found.status],
              ["Normalization", <NormalizationBadge trace={found} />],
              ["Cost", formatUsd(found.costUsd)],
              ["Started", formatTime(found.startedAt)],
            ]}
          />
          {found.normalization.state !== "normalized" ? (
            <p className="notice" role="status">
              {found.normalization.state === "unresolved"
                ? "Not matched to a session or version: "
                : "Waiting to be normalized: "}
              {found.normalization.reason ?? "it will be processed shortly."}
            </p>
          ) : null}
          <Card title="Spans">
            {Array.isArray(found.spans) ? (
              <Waterfall spans={found.spans} />
            ) : (
              <p>Spans are stored as a payload.</p>
            )}
          </Card>
          <ScoresCard target={{ traceId: found.id }} />
          <Card title="Use as a test case">
            <AddToSuite traceId={found.id} agentId={found.agentId} />
          </Card>
          <div className="two-columns">
            <Card title="Input">
              <Preformatted label="Trace input">{show(found.input)}</Preformatted>
            </Card>
            <Card title="Output">
              <Preformatted label="Trace output">{show(found.output)}</Preformatted>
            </Card>
          </div>
        </>
      )}
    </Loaded>
  );
}
