/** Scores on a trace or a session: the list (name, value, who gave it, comment) and the signed-in
 * reviewer's thumbs up / down — one verdict per reviewer and target (its id is the reviewer's, so
 * a second click replaces the first). */

import { api, type Schemas } from "../api";
import { useChange, useList } from "../queries";
import { useMe } from "../session";
import { DataTable } from "./DataTable";
import { Badge, Card, Empty, FormError, formatTime, Loaded } from "./ui";

type Score = Schemas["Score"];
export type ScoreTarget = { traceId: string } | { sessionId: string };

/** What a reviewer's thumbs record. */
export const REVIEW = "review";

/** A thumb, up or down (drawn, so it shows without an emoji font). */
function Thumb({ down = false }: { down?: boolean }) {
  return (
    <svg
      className="thumb"
      viewBox="0 0 24 24"
      width="14"
      height="14"
      aria-hidden="true"
      style={down ? { transform: "rotate(180deg)" } : undefined}
    >
      <path
        fill="currentColor"
        d="M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6C6.2 8 6 8.5 6 9v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z"
      />
    </svg>
  );
}

export function ScoreValue({ score }: { score: Pick<Score, "value" | "dataType"> }) {
  if (score.dataType === "boolean") {
    return score.value ? (
      <Badge tone="good">
        <Thumb /> yes
      </Badge>
    ) : (
      <Badge tone="bad">
        <Thumb down /> no
      </Badge>
    );
  }
  if (score.dataType === "categorical") return <Badge tone="info">{String(score.value)}</Badge>;
  return (
    <span className="num">{Number(score.value).toLocaleString(undefined, { maximumFractionDigits: 4 })}</span>
  );
}

function Thumbs({ target, scores }: { target: ScoreTarget; scores: Score[] }) {
  const me = useMe().data;
  const reviewId = me?.user ? `review-${me.user.id}` : null;
  const mine = scores.find((score) => score.id === reviewId);
  const give = useChange(
    (value: boolean) =>
      api.post<Score>("scores", { id: reviewId, name: REVIEW, value, source: "user", ...target }),
    ["scores", "analytics"],
  );
  if (!reviewId) return null;
  const button = (value: boolean, label: string) => (
    <button
      type="button"
      className={`button small ${mine?.value === value ? "" : "secondary"}`}
      aria-pressed={mine?.value === value}
      disabled={give.isPending}
      onClick={() => give.mutate(value)}
    >
      <Thumb down={!value} /> {label}
    </button>
  );
  return (
    <div className="thumbs">
      <fieldset className="actions" aria-label="Your review">
        <legend className="visually-hidden">Your review</legend>
        {button(true, "Good")}
        {button(false, "Bad")}
      </fieldset>
      <FormError error={give.error} />
    </div>
  );
}

export function ScoresCard({ target }: { target: ScoreTarget }) {
  const scores = useList<Score>("scores", target);
  return (
    <Card title="Scores" actions={<Thumbs target={target} scores={scores.data?.items ?? []} />}>
      <Loaded query={scores}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No scores yet: review it here, or send scores with the SDK.</Empty>
          ) : (
            <DataTable
              rows={page.items}
              rowKey={(score) => score.id}
              columns={[
                { header: "Name", cell: (score) => <code>{score.name}</code> },
                { header: "Value", cell: (score) => <ScoreValue score={score} /> },
                { header: "Source", cell: (score) => score.source },
                { header: "On", cell: (score) => (score.spanId ? `span ${score.spanId}` : score.target) },
                { header: "Comment", cell: (score) => score.comment ?? "—" },
                { header: "Updated", cell: (score) => formatTime(score.updatedAt) },
              ]}
            />
          )
        }
      </Loaded>
    </Card>
  );
}
