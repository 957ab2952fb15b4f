/** The dashboard's building blocks: page frame, states (loading, empty, error), tables, forms,
 * buttons, badges, a confirm step and a copy button. */

import type { UseQueryResult } from "@tanstack/react-query";
import { type ReactNode, useId, useState } from "react";
import { ApiError } from "../api";

export function PageHeader({
  title,
  actions,
  subtitle,
}: {
  title: string;
  subtitle?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="muted">{subtitle}</p> : null}
      </div>
      {actions ? <div className="actions">{actions}</div> : null}
    </header>
  );
}

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <output className="state" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {what}…
    </output>
  );
}

export function Empty({ children = "No data yet" }: { children?: ReactNode }) {
  return <div className="state empty">{children}</div>;
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.details.map((detail) => `${detail.field}: ${detail.message}`).join("; ");
    return fields ? `${error.message} (${fields})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export function ErrorState({ error }: { error: unknown }) {
  return (
    <div className="state error" role="alert">
      {messageOf(error)}
    </div>
  );
}

/** Loading, error, or empty — else the content. */
export function Loaded<T>({
  query,
  empty,
  children,
}: {
  query: UseQueryResult<T>;
  empty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorState error={query.error} />;
  if (empty?.(query.data)) return <Empty />;
  return <>{children(query.data)}</>;
}

/** Headline figures: label over value. */
export function Totals({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="totals">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Card({
  title,
  children,
  actions,
}: {
  title?: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section className="card" aria-label={title}>
      {title || actions ? (
        <div className="card-head">
          {title ? <h2>{title}</h2> : <span />}
          {actions}
        </div>
      ) : null}
      {children}
    </section>
  );
}

export function Field({
  label,
  children,
  hint,
}: {
  label: string;
  hint?: string;
  children: (id: string) => ReactNode;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {hint ? <small className="muted">{hint}</small> : null}
    </div>
  );
}

export function Badge({
  tone = "neutral",
  children,
}: {
  tone?: "neutral" | "good" | "bad" | "warn" | "info";
  children: ReactNode;
}) {
  return <span className={`badge ${tone}`}>{children}</span>;
}

export function FormError({ error }: { error: unknown }) {
  return error ? (
    <p className="form-error" role="alert">
      {messageOf(error)}
    </p>
  ) : null;
}

export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="button secondary small"
      onClick={async () => {
        await navigator.clipboard?.writeText(text).catch(() => undefined);
        setCopied(true);
      }}
    >
      {copied ? "Copied" : label}
    </button>
  );
}

/** A destructive action asked twice: the button, then "Yes, <verb>" / "Cancel". */
export function Confirm({
  label,
  confirm,
  onConfirm,
  busy,
}: {
  label: string;
  confirm: string;
  onConfirm: () => void;
  busy?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="button danger small" onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <fieldset className="confirm" aria-label={`${label}: confirm`}>
      <span>{confirm}</span>
      <button type="button" className="button danger small" disabled={busy} onClick={onConfirm}>
        Yes, {label.toLowerCase()}
      </button>
      <button type="button" className="button secondary small" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </fieldset>
  );
}

export function formatTime(value?: string | null): string {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime())
    ? value
    : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function formatUsd(value?: number | null): string {
  if (value === undefined || value === null) return "—";
  return value < 0.01 && value > 0 ? `$${value.toFixed(5)}` : `$${value.toFixed(2)}`;
}

export function formatNumber(value?: number | null): string {
  return value === undefined || value === null ? "—" : value.toLocaleString();
}

/** A value as text: strings as they are, anything else as indented JSON. */
export function show(value: unknown): string {
  if (value === undefined || value === null) return "—";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

/** Text that may scroll (JSON, long outputs): a labelled region the keyboard can reach. */
export function Preformatted({
  label,
  small,
  children,
}: {
  label: string;
  small?: boolean;
  children: string;
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section tabIndex={0} aria-label={label} className={small ? "scroll-region small" : "scroll-region"}>
      <pre>{children}</pre>
    </section>
  );
}
