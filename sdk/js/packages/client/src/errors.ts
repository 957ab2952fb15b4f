/**
 * Typed errors. Every API error is a {@link GroundedAPIError} with the HTTP `status`, Grounded's
 * error `code`, its `message` and the `requestId` to quote in a report; one subclass per status
 * family. Errors without an answer are {@link APIConnectionError} (and {@link APITimeoutError}).
 */

export interface ErrorDetail {
  field?: string;
  message?: string;
}

/** Base of every error this SDK throws. */
export class GroundedError extends Error {
  override name = "GroundedError";
}

export interface APIErrorInit {
  status: number;
  code: string;
  message: string;
  body?: unknown;
  retryAfter?: number | undefined;
  requestId?: string | undefined;
}

export class GroundedAPIError extends GroundedError {
  override name = "GroundedAPIError";
  readonly status: number;
  readonly code: string;
  readonly body: unknown;
  /** Seconds the server asked to wait (`Retry-After`), if it said. */
  readonly retryAfter: number | undefined;
  /** The request's id (API Gateway's, also on the server's log lines): quote it in a report. */
  readonly requestId: string | undefined;

  constructor(init: APIErrorInit) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.body = init.body;
    this.retryAfter = init.retryAfter;
    this.requestId = init.requestId;
  }

  /** The fields a 422 names, each with what is wrong with it. */
  get details(): ErrorDetail[] {
    const body = this.body as { details?: unknown } | null | undefined;
    return Array.isArray(body?.details) ? (body.details as ErrorDetail[]) : [];
  }
}

export class BadRequestError extends GroundedAPIError {
  override name = "BadRequestError";
}
export class AuthenticationError extends GroundedAPIError {
  override name = "AuthenticationError";
}
export class PermissionDeniedError extends GroundedAPIError {
  override name = "PermissionDeniedError";
}
export class NotFoundError extends GroundedAPIError {
  override name = "NotFoundError";
}
export class ConflictError extends GroundedAPIError {
  override name = "ConflictError";
}
export class GoneError extends GroundedAPIError {
  override name = "GoneError";
}
export class PayloadTooLargeError extends GroundedAPIError {
  override name = "PayloadTooLargeError";
}
/** The request was understood but is not valid; `details` names each field. */
export class UnprocessableEntityError extends GroundedAPIError {
  override name = "UnprocessableEntityError";
}
/** 429; `retryAfter` holds the seconds the server asked to wait. */
export class RateLimitError extends GroundedAPIError {
  override name = "RateLimitError";
}
export class InternalServerError extends GroundedAPIError {
  override name = "InternalServerError";
}

/** No answer: the connection failed. */
export class APIConnectionError extends GroundedError {
  override name = "APIConnectionError";
}
/** No answer within the request's timeout. */
export class APITimeoutError extends APIConnectionError {
  override name = "APITimeoutError";
}
/** A wait (`jobs.wait`, `evals.runs.waitForCompletion`) ran out of time. */
export class GroundedTimeoutError extends GroundedError {
  override name = "GroundedTimeoutError";
}

export interface EndedJob {
  id: string;
  status?: string;
  error?: string | null;
}

/** A job ended `failed` or `cancelled`; `job` is its last state. */
export class GroundedJobError<J extends EndedJob = EndedJob> extends GroundedError {
  override name = "GroundedJobError";
  readonly job: J;

  constructor(job: J) {
    super(`job ${job.id} ${job.status}: ${job.error || "no reason given"}`);
    this.job = job;
  }
}

const BY_STATUS: Record<number, typeof GroundedAPIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  410: GoneError,
  413: PayloadTooLargeError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/** The error for an API answer: the class by status, code and message from Grounded's error body. */
export function errorFor(
  status: number,
  body: unknown,
  retryAfter?: number,
  requestId?: string,
): GroundedAPIError {
  let code = "error";
  let message = "The request failed.";
  if (body !== null && typeof body === "object") {
    const fields = body as Record<string, unknown>;
    code = typeof fields.code === "string" ? fields.code : code;
    const said = fields.error ?? fields.message;
    message = typeof said === "string" ? said : message;
    requestId = requestId || (typeof fields.requestId === "string" ? fields.requestId : undefined);
  } else if (typeof body === "string" && body) {
    message = body;
  }
  const Kind = BY_STATUS[status] ?? (status >= 500 ? InternalServerError : GroundedAPIError);
  return new Kind({ status, code, message, body, retryAfter, requestId });
}
