/** "Add to suite": a production trace — or one exchange of its conversation — becomes an eval case
 * of one of its agent's suites, with what the agent answered as the expected output (or not). */

import { useId, useState } from "react";
import { Link } from "react-router";
import { api, type Schemas } from "../api";
import { useChange, useList } from "../queries";
import { FormError } from "./ui";

type Suite = Schemas["Suite"];
type Case = Schemas["Case"];

export function AddToSuite({
  traceId,
  agentId,
  turnId,
}: {
  traceId: string;
  agentId: string;
  turnId?: string;
}) {
  const suites = useList<Suite>("evals/suites", { agentId });
  const [suiteId, setSuiteId] = useState("");
  const [expectOutput, setExpectOutput] = useState(true);
  const [mustContain, setMustContain] = useState("");
  const [added, setAdded] = useState<Case | null>(null);
  const id = useId();
  const add = useChange(
    (suite: string) =>
      api.post<Case>(`evals/suites/${suite}/cases/from-trace`, {
        traceId,
        ...(turnId && { turnId }),
        ...(expectOutput
          ? { expected: "output" }
          : { assertions: [{ type: "contains", value: mustContain }] }),
      }),
    ["evals"],
  );
  const available = suites.data?.items ?? [];
  if (suites.isSuccess && available.length === 0) {
    return (
      <p className="muted">
        No suite for this agent yet: <Link to="/evals">create one in Evals</Link> to keep this as a test case.
      </p>
    );
  }
  const chosen = suiteId || available[0]?.id || "";
  return (
    <form
      className="add-to-suite"
      aria-label="Add to suite"
      onSubmit={(event) => {
        event.preventDefault();
        setAdded(null);
        add.mutate(chosen, { onSuccess: setAdded });
      }}
    >
      <label htmlFor={`${id}-suite`}>Suite</label>
      <select id={`${id}-suite`} value={chosen} onChange={(event) => setSuiteId(event.target.value)}>
        {available.map((suite) => (
          <option key={suite.id} value={suite.id}>
            {suite.name}
          </option>
        ))}
      </select>
      <label className="check">
        <input
          type="checkbox"
          checked={expectOutput}
          onChange={(event) => setExpectOutput(event.target.checked)}
        />
        Expect this answer
      </label>
      {expectOutput ? null : (
        <>
          <label htmlFor={`${id}-contains`}>Answer must contain</label>
          <input
            id={`${id}-contains`}
            required
            value={mustContain}
            onChange={(event) => setMustContain(event.target.value)}
          />
        </>
      )}
      <button type="submit" className="button small" disabled={!chosen || add.isPending}>
        Add to suite
      </button>
      {added ? (
        <output className="muted">
          Added as a case of <Link to={`/evals/suites/${added.suiteId}`}>the suite</Link>.
        </output>
      ) : null}
      <FormError error={add.error} />
    </form>
  );
}
