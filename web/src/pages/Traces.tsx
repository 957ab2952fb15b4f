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

export function Traces() {
  const [agentId, setAgentId] = useState("");
  const [status, setStatus] = useState("");
  const traces = useList<TraceView>("traces", { agentId: agentId || undefined, status: status || undefined });
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
