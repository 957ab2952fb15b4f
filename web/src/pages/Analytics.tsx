import { useState } from "react";
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { Schemas } from "../api";
import { Badge, Card, Empty, formatNumber, formatUsd, Loaded, PageHeader } from "../components/ui";
import { useOne } from "../queries";
import { AgentSelect } from "./Sessions";

type Overview = Schemas["Overview"];
type Point = Schemas["Point"];

const RANGES: [string, number][] = [
  ["7 days", 7],
  ["30 days", 30],
  ["90 days", 90],
];

function day(offset: number): string {
  return new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);
}

const LABELS: Record<string, string> = {
  sessions: "Sessions",
  traces: "Traces",
  costUsd: "Cost",
  tokens: "Tokens",
  errorRate: "Error rate",
  evalRuns: "Eval runs",
  evalPassRate: "Eval pass rate",
};

function money(value: number): string {
  if (value === 0) return "$0";
  return value < 1 ? `$${value.toPrecision(2)}` : `$${value.toFixed(2)}`;
}

const percent = (n: number) => `${Math.round(n * 100)}%`;

/** The daily series drawn as lines or areas (drift by severity is a stacked bar chart of its own). */
const CHARTS: {
  title: string;
  unit: string;
  series: Exclude<keyof Overview["series"], "driftBySeverity">;
  format: (n: number) => string;
  kind?: "area";
}[] = [
  { title: "Sessions", unit: "sessions/day", series: "sessionVolume", format: formatNumber, kind: "area" },
  { title: "Traces", unit: "traces/day", series: "traceVolume", format: formatNumber, kind: "area" },
  { title: "Eval pass rate", unit: "%", series: "evalPassRate", format: percent },
  { title: "Cost", unit: "USD/day", series: "costUsd", format: money },
  { title: "Tokens", unit: "tokens/day", series: "tokens", format: formatNumber },
  { title: "Error rate", unit: "% of traces", series: "errorRate", format: percent },
];

const shortDate = (value: string) => value.slice(5);

function Series({
  title,
  unit,
  points,
  format,
  kind = "line",
  zeroIsData = false,
}: {
  title: string;
  unit: string;
  points: Point[];
  format: (n: number) => string;
  kind?: "line" | "area";
  /** a day at 0 is a value (an average), not the absence of one (a count); the axis shows 0 to 1
   * at least (a yes/no score's range) */
  zeroIsData?: boolean;
}) {
  const data = points.map((point) => ({ date: point.date, value: point.value }));
  const Chart = kind === "area" ? AreaChart : LineChart;
  return (
    <Card title={`${title} (${unit})`}>
      {data.every((point) =>
        zeroIsData ? point.value === null || point.value === undefined : !point.value,
      ) ? (
        <Empty />
      ) : (
        <figure className="chart" aria-label={`${title} per day`}>
          <ResponsiveContainer width="100%" height={220}>
            <Chart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
              <XAxis dataKey="date" tickFormatter={shortDate} fontSize={12} minTickGap={16} />
              <YAxis
                fontSize={12}
                tickFormatter={(n: number) => format(n)}
                width={72}
                allowDecimals={format !== formatNumber}
                {...(zeroIsData && {
                  domain: [(low: number) => Math.min(0, low), (high: number) => Math.max(1, high)],
                })}
              />
              <Tooltip
                formatter={(value) => [format(Number(value)), unit]}
                labelFormatter={(label) => String(label)}
              />
              {kind === "area" ? (
                <Area
                  type="linear"
                  dataKey="value"
                  name={title}
                  stroke="#4f46e5"
                  fill="#c7d2fe"
                  dot={{ r: 2 }}
                  isAnimationActive={false}
                />
              ) : (
                <Line
                  type="linear"
                  dataKey="value"
                  name={title}
                  stroke="#4f46e5"
                  strokeWidth={2}
                  dot={{ r: 3 }}
                  connectNulls
                  isAnimationActive={false}
                />
              )}
            </Chart>
          </ResponsiveContainer>
        </figure>
      )}
    </Card>
  );
}

type ScoreSeries = Schemas["ScoreSeries"];

const average = (n: number) => n.toLocaleString(undefined, { maximumFractionDigits: 2 });

/** A score name's card: its daily average as a line, or for a category how often each was given. */
function ScoreChart({ score }: { score: ScoreSeries }) {
  if (Object.keys(score.categories).length > 0) {
    const counted = Object.entries(score.categories).sort(([, a], [, b]) => b - a);
    return (
      <Card title={`Score: ${score.name} (${formatNumber(score.count)} given)`}>
        <ul className="score-categories" aria-label={`${score.name} by category`}>
          {counted.map(([category, times]) => (
            <li key={category}>
              <Badge tone="info">{category}</Badge> {formatNumber(times)}
            </li>
          ))}
        </ul>
      </Card>
    );
  }
  const overall =
    score.overallAverage === null || score.overallAverage === undefined ? "—" : average(score.overallAverage);
  return (
    <Series
      title={`Score: ${score.name}`}
      unit={`average/day; ${overall} overall, ${formatNumber(score.count)} given`}
      points={score.average}
      format={average}
      zeroIsData
    />
  );
}

export default function Analytics() {
  const [agentId, setAgentId] = useState("");
  const [days, setDays] = useState(30);
  const query = `analytics/overview?from=${day(days - 1)}&to=${day(0)}${agentId ? `&agentId=${agentId}` : ""}`;
  const overview = useOne<Overview>(query);
  return (
    <>
      <PageHeader title="Analytics" subtitle="Volume, quality, drift and cost per day." />
      <search className="filters" aria-label="Choose the range">
        <AgentSelect value={agentId} onChange={setAgentId} />
        <label className="filter">
          Range
          <select value={days} onChange={(event) => setDays(Number(event.target.value))}>
            {RANGES.map(([label, value]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </search>
      <Loaded query={overview}>
        {(found) => {
          const drift = found.series.driftBySeverity.filter(
            (point) => (point.low ?? 0) + (point.medium ?? 0) + (point.high ?? 0) + (point.critical ?? 0) > 0,
          );
          return (
            <>
              <dl className="totals">
                {Object.entries(found.totals).map(([name, value]) => (
                  <div key={name}>
                    <dt>{LABELS[name] ?? name.replace(/([A-Z])/g, " $1").toLowerCase()}</dt>
                    <dd>
                      {name.toLowerCase().includes("usd")
                        ? formatUsd(value)
                        : name.toLowerCase().includes("rate")
                          ? `${Math.round((value ?? 0) * 100)}%`
                          : formatNumber(value)}
                    </dd>
                  </div>
                ))}
              </dl>
              <div className="charts">
                {CHARTS.map((chart) => (
                  <Series
                    key={chart.title}
                    title={chart.title}
                    unit={chart.unit}
                    points={found.series[chart.series]}
                    format={chart.format}
                    kind={chart.kind}
                  />
                ))}
                {found.scores.map((score) => (
                  <ScoreChart key={score.name} score={score} />
                ))}
                <Card title="Drift reports by severity (reports/day)">
                  {drift.length === 0 ? (
                    <Empty />
                  ) : (
                    <figure className="chart" aria-label="Drift reports by severity per day">
                      <ResponsiveContainer width="100%" height={220}>
                        <BarChart data={found.series.driftBySeverity}>
                          <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
                          <XAxis dataKey="date" tickFormatter={shortDate} fontSize={12} />
                          <YAxis allowDecimals={false} fontSize={12} width={72} />
                          <Tooltip />
                          <Legend />
                          <Bar dataKey="low" stackId="s" fill="#a5b4fc" isAnimationActive={false} />
                          <Bar dataKey="medium" stackId="s" fill="#f59e0b" isAnimationActive={false} />
                          <Bar dataKey="high" stackId="s" fill="#dc2626" isAnimationActive={false} />
                          <Bar dataKey="critical" stackId="s" fill="#7f1d1d" isAnimationActive={false} />
                        </BarChart>
                      </ResponsiveContainer>
                    </figure>
                  )}
                </Card>
              </div>
            </>
          );
        }}
      </Loaded>
    </>
  );
}
