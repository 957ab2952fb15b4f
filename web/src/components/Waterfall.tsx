/** A trace's spans as a tree laid over time: each row indented under its parent, a bar from its
 * start to its end, with kind, model, tokens, cost and errors; a row opens its input and output. */

import { useState } from "react";
import type { Schemas } from "../api";
import { Badge, formatNumber, formatUsd, Preformatted, show } from "./ui";

type Span = Schemas["SpanView"];

function ms(value?: string | null): number | null {
  if (!value) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : time;
}

function ordered(spans: Span[]): { span: Span; depth: number }[] {
  const children = new Map<string | null, Span[]>();
  const ids = new Set(spans.map((span) => span.id));
  for (const span of spans) {
    const parent = span.parentId && ids.has(span.parentId) ? span.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const rows: { span: Span; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    const level = [...(children.get(parent) ?? [])].sort(
      (a, b) => (ms(a.startedAt) ?? 0) - (ms(b.startedAt) ?? 0),
    );
    for (const span of level) {
      rows.push({ span, depth });
      walk(span.id, depth + 1);
    }
  };
  walk(null, 0);
  return rows;
}

function tokens(span: Span): string {
  const usage = span.usage;
  if (!usage) return "";
  const total = (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0) + (usage.cacheReadTokens ?? 0);
  return `${formatNumber(total)} tok`;
}

export function Waterfall({ spans }: { spans: Span[] }) {
  const [open, setOpen] = useState<string | null>(null);
  if (spans.length === 0) return <p className="muted">No spans.</p>;
  const starts = spans.map((span) => ms(span.startedAt) ?? 0);
  const ends = spans.map((span) => ms(span.endedAt) ?? ms(span.startedAt) ?? 0);
  const t0 = Math.min(...starts);
  const total = Math.max(1, Math.max(...ends) - t0);
  return (
    <ol className="waterfall" aria-label="Spans">
      {ordered(spans).map(({ span, depth }) => {
        const start = (ms(span.startedAt) ?? t0) - t0;
        const duration = Math.max(
          0,
          (ms(span.endedAt) ?? ms(span.startedAt) ?? t0) - (ms(span.startedAt) ?? t0),
        );
        const expanded = open === span.id;
        return (
          <li key={span.id} className={span.status === "error" ? "failed" : undefined}>
            <button
              type="button"
              className="span-row"
              aria-expanded={expanded}
              onClick={() => setOpen(expanded ? null : span.id)}
            >
              <span className="span-name" style={{ paddingLeft: `${depth * 16}px` }}>
                <Badge tone={span.kind === "llm" ? "info" : span.kind === "tool" ? "good" : "neutral"}>
                  {span.kind ?? "step"}
                </Badge>{" "}
                {span.name}
                {span.model ? <code className="model"> {span.model}</code> : null}
                {span.status === "error" ? <Badge tone="bad">error</Badge> : null}
              </span>
              <span className="span-meta">
                {tokens(span)} {span.costUsd ? formatUsd(span.costUsd) : ""} {duration} ms
              </span>
              <span className="span-track" aria-hidden="true">
                <span
                  className="span-bar"
                  style={{
                    left: `${(start / total) * 100}%`,
                    width: `${Math.max(0.5, (duration / total) * 100)}%`,
                  }}
                />
              </span>
            </button>
            {expanded ? (
              <div className="span-detail">
                {span.error ? <p className="form-error">{show(span.error)}</p> : null}
                <h4>Input</h4>
                <Preformatted label={`${span.name} input`}>{show(span.input)}</Preformatted>
                <h4>Output</h4>
                <Preformatted label={`${span.name} output`}>{show(span.output)}</Preformatted>
                {span.usage ? (
                  <p className="muted">
                    input {formatNumber(span.usage.inputTokens)} · output{" "}
                    {formatNumber(span.usage.outputTokens)} · cache read{" "}
                    {formatNumber(span.usage.cacheReadTokens)} · reasoning{" "}
                    {formatNumber(span.usage.reasoningTokens)}
                  </p>
                ) : null}
              </div>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
