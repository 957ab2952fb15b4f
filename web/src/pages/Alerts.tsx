/** Alerts: rules per agent on a metric over a window, delivered to a signed webhook and/or by email;
 * each rule's state, a test delivery, and its delivery log. */

import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { api, type Schemas } from "../api";
import { DataTable, ListTable } from "../components/DataTable";
import {
  Badge,
  Card,
  Confirm,
  CopyButton,
  Empty,
  Field,
  FormError,
  formatTime,
  Loaded,
  PageHeader,
} from "../components/ui";
import { useChange, useList } from "../queries";
import { useCan } from "../session";
import { AgentSelect } from "./Sessions";

type Alert = Schemas["Alert"];
type AlertCreated = Schemas["AlertCreated"];
type Delivery = Schemas["Delivery"];

const METRICS: [string, string][] = [
  ["error_rate", "Error rate (0–1)"],
  ["cost_usd", "Cost per day (USD)"],
  ["eval_pass_rate", "Eval pass rate (0–1)"],
  ["drift_reports", "Drift reports (high or worse)"],
  ["insights", "Insights"],
];

function describeCondition(alert: Alert): string {
  const condition = alert.condition;
  const label = METRICS.find(([metric]) => metric === condition.metric)?.[1] ?? condition.metric;
  const bound =
    condition.above !== null && condition.above !== undefined
      ? `> ${condition.above}`
      : `< ${condition.below}`;
  return `${label} ${bound} over ${condition.window}`;
}

function DeliveryLog({ alertId }: { alertId: string }) {
  const deliveries = useList<Delivery>(`alerts/${alertId}/deliveries`, {}, { refetchInterval: 3000 });
  return (
    <Loaded query={deliveries}>
      {(page) =>
        page.items.length === 0 ? (
          <Empty>No deliveries yet.</Empty>
        ) : (
          <DataTable
            rows={page.items}
            rowKey={(delivery) => delivery.id}
            columns={[
              { header: "When", cell: (delivery) => formatTime(delivery.createdAt) },
              { header: "Event", cell: (delivery) => <code>{delivery.event}</code> },
              { header: "To", cell: (delivery) => delivery.to, className: "clip" },
              {
                header: "Status",
                cell: (delivery) => (
                  <Badge
                    tone={
                      delivery.status === "delivered" ? "good" : delivery.status === "failed" ? "bad" : "warn"
                    }
                  >
                    {delivery.status}
                  </Badge>
                ),
              },
              {
                header: "Attempts",
                cell: (delivery) =>
                  (delivery.attempts ?? [])
                    .map((attempt) => attempt.status ?? attempt.error ?? "sent")
                    .join(", ") || "—",
              },
            ]}
          />
        )
      }
    </Loaded>
  );
}

function NewAlert() {
  const [agentId, setAgentId] = useState("");
  const [created, setCreated] = useState<AlertCreated | null>(null);
  const create = useChange(
    (body: Record<string, unknown>) => api.post<AlertCreated>("alerts", body),
    ["alerts"],
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(event.currentTarget)) as Record<string, string>;
    const emails = (data.emails ?? "")
      .split(",")
      .map((address) => address.trim())
      .filter(Boolean);
    create.mutate(
      {
        agentId,
        name: data.name,
        condition: {
          metric: data.metric,
          [data.direction ?? "above"]: Number(data.threshold),
          window: data.window,
        },
        ...(data.webhookUrl ? { webhookUrl: data.webhookUrl } : {}),
        emails,
      },
      { onSuccess: setCreated },
    );
  }
  return (
    <Card title="New alert">
      <form className="inline-form" onSubmit={submit}>
        <AgentSelect value={agentId} onChange={setAgentId} label="For agent" />
        <Field label="Name">{(id) => <input id={id} name="name" required defaultValue="Error rate" />}</Field>
        <label className="filter">
          Metric
          <select name="metric" defaultValue="error_rate">
            {METRICS.map(([metric, label]) => (
              <option key={metric} value={metric}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          When
          <select name="direction" defaultValue="above">
            <option value="above">above</option>
            <option value="below">below</option>
          </select>
        </label>
        <Field label="Threshold">
          {(id) => <input id={id} name="threshold" type="number" step="any" required defaultValue={0.05} />}
        </Field>
        <label className="filter">
          Window
          <select name="window" defaultValue="1d">
            {["1d", "7d", "30d"].map((window) => (
              <option key={window} value={window}>
                {window}
              </option>
            ))}
          </select>
        </label>
        <Field label="Webhook URL">
          {(id) => <input id={id} name="webhookUrl" type="url" placeholder="https://…" />}
        </Field>
        <Field label="Emails (comma separated)">{(id) => <input id={id} name="emails" />}</Field>
        <button className="button" type="submit" disabled={create.isPending || !agentId}>
          Add alert
        </button>
      </form>
      <FormError error={create.error} />
      {created ? (
        <div className="notice" role="status">
          Alert <strong>{created.name}</strong> added. Its webhook signing secret, shown this once:{" "}
          <code className="secret">{created.signingSecret}</code> <CopyButton text={created.signingSecret} />
        </div>
      ) : null}
    </Card>
  );
}

export function Alerts() {
  const [agentId, setAgentId] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  const alerts = useList<Alert>("alerts", { agentId: agentId || undefined });
  const canEdit = useCan("MEMBER");
  const remove = useChange((alertId: string) => api.delete(`alerts/${alertId}`), ["alerts"]);
  const test = useChange((alertId: string) => api.post(`alerts/${alertId}/test`), ["alerts"]);
  return (
    <>
      <PageHeader
        title="Alerts"
        subtitle="Be told when an agent's errors, cost, eval pass rate, drift or insights cross a line."
      />
      {canEdit ? <NewAlert /> : null}
      <search className="filters" aria-label="Filter alerts">
        <AgentSelect value={agentId} onChange={setAgentId} />
      </search>
      <Card title="Alerts">
        <ListTable
          query={alerts}
          rowKey={(alert) => alert.id}
          columns={[
            { header: "Name", cell: (alert) => alert.name },
            {
              header: "Agent",
              cell: (alert) => <Link to={`/agents/${alert.agentId}`}>{alert.agentId}</Link>,
            },
            { header: "Condition", cell: describeCondition },
            {
              header: "State",
              cell: (alert) =>
                alert.enabled ? (
                  <Badge tone={alert.state === "firing" ? "bad" : "good"}>{alert.state}</Badge>
                ) : (
                  <Badge>off</Badge>
                ),
            },
            { header: "Last value", cell: (alert) => alert.lastValue ?? "—", numeric: true },
            {
              header: null,
              cell: (alert) => (
                <>
                  <button
                    type="button"
                    className="button secondary small"
                    aria-expanded={open === alert.id}
                    onClick={() => setOpen(open === alert.id ? null : alert.id)}
                  >
                    Deliveries
                  </button>
                  {canEdit ? (
                    <>
                      <button
                        type="button"
                        className="button secondary small"
                        onClick={() => test.mutate(alert.id)}
                      >
                        Send test
                      </button>
                      <Confirm
                        label="Delete"
                        confirm="Delete this alert and its log?"
                        onConfirm={() => remove.mutate(alert.id)}
                      />
                    </>
                  ) : null}
                </>
              ),
            },
          ]}
        />
        <FormError error={test.error ?? remove.error} />
      </Card>
      {open ? (
        <Card title="Delivery log">
          <DeliveryLog alertId={open} />
        </Card>
      ) : null}
    </>
  );
}
