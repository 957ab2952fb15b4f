/** Names for the API's models, generated from `openapi.json` into `openapi.ts` (`npm run generate`). */

import type { components, paths } from "./openapi.js";

type Schemas = components["schemas"];

/** A list's page: `items`, and `nextCursor` while there are more. */
export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

/** The query parameters an operation takes, as the contract names them. */
export type QueryOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  parameters: { query?: infer Q };
}
  ? NonNullable<Q>
  : never;

/** A list's filters, without the paging parameters (`for await` pages for you). */
export type FiltersOf<P extends keyof paths> = Omit<QueryOf<P, "get">, "cursor">;

export type Accepted = Schemas["Accepted"];
export type Agent = Schemas["Agent"];
export type AgentCreate = Schemas["AgentCreate"];
export type AgentPatch = Schemas["AgentPatch"];
export type ApiKey = Schemas["ApiKey"];
export type BatchAnswer = Schemas["BatchAnswer"];
export type Case = Schemas["Case"];
export type CaseFromTrace = Schemas["CaseFromTrace"];
export type CaseIn = Schemas["CaseIn"];
export type CasePatch = Schemas["CasePatch"];
export type Comparison = Schemas["Comparison"];
export type ConnectRequest = Schemas["ConnectRequest"];
export type ConnectResult = Schemas["ConnectResult"];
export type Connector = Schemas["Connector"];
export type ConnectorCreate = Schemas["ConnectorCreate"];
export type ConnectorPatch = Schemas["ConnectorPatch"];
export type DriftReport = Schemas["DriftReport"];
export type EventIn = Schemas["EventIn"];
export type Imported = Schemas["Imported"];
export type Insight = Schemas["Insight"];
export type ItemResult = Schemas["ItemResult"];
export type Job = Schemas["Job"];
export type KeyCreated = Schemas["KeyCreated"];
export type KeyRequest = Schemas["KeyRequest"];
export type Me = Schemas["Me"];
export type Overview = Schemas["Overview"];
export type Policy = Schemas["Policy"];
export type PolicyCreate = Schemas["PolicyCreate"];
export type PolicyPatch = Schemas["PolicyPatch"];
export type Score = Schemas["Score"];
export type Provider = Schemas["Provider"];
export type ProviderIn = Schemas["ProviderIn"];
export type Evaluator = Schemas["Evaluator"];
export type Alert = Schemas["Alert"];
export type AlertCreate = Schemas["AlertCreate"];
export type AlertCreated = Schemas["AlertCreated"];
export type AlertPatch = Schemas["AlertPatch"];
export type Delivery = Schemas["Delivery"];
export type EvaluatorCreate = Schemas["EvaluatorCreate"];
export type EvaluatorPatch = Schemas["EvaluatorPatch"];
export type ScoreCreate = Schemas["ScoreCreate"];
export type Price = Schemas["Price"];
export type PriceEntry = Schemas["PriceEntry"];
export type Result = Schemas["Result"];
export type ResultIn = Schemas["ResultIn"];
export type Run = Schemas["Run"];
export type RunCreate = Schemas["RunCreate"];
export type SessionCreate = Schemas["SessionCreate"];
export type SessionView = Schemas["SessionView"];
export type Snapshot = Schemas["Snapshot"];
export type SnapshotCreate = Schemas["SnapshotCreate"];
export type SpanIn = Schemas["SpanIn"];
export type SubmitAnswer = Schemas["SubmitAnswer"];
export type Suite = Schemas["Suite"];
export type SuiteCreate = Schemas["SuiteCreate"];
export type SuitePatch = Schemas["SuitePatch"];
export type SyncRequest = Schemas["SyncRequest"];
export type Template = Schemas["Template"];
export type TimelineEntry = Schemas["TimelineEntry"];
export type TraceIn = Schemas["TraceIn"];
export type TraceView = Schemas["TraceView"];
export type Turn = Schemas["Turn"];
export type TurnCreate = Schemas["TurnCreate"];
export type AuthSession = Schemas["Session"];
export type SignUp = Schemas["SignUp"];
export type LogIn = Schemas["LogIn"];
export type PasswordChange = Schemas["PasswordChange"];
export type ResetAccepted = Schemas["ResetAccepted"];
export type ResetConfirm = Schemas["ResetConfirm"];
export type Org = Schemas["Org"];
export type OrgPatch = Schemas["OrgPatch"];
export type OrgDeletion = Schemas["OrgDeletion"];
export type AccountDeletion = Schemas["AccountDeletion"];
export type Membership = Schemas["Membership"];
export type Invite = Schemas["Invite"];
export type InviteRequest = Schemas["InviteRequest"];
export type InviteCreated = Schemas["InviteCreated"];
export type OrgRole = Schemas["OrgRole"];
export type Acceptance = Schemas["Acceptance"];
export type SpanView = Schemas["SpanView"];
