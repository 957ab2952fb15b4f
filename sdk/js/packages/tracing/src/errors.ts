import { GroundedError } from "@grounded/client";

/** A trace cannot be started as asked (no agent, no stitch key): thrown before anything is sent. */
export class TracingError extends GroundedError {
  override name = "TracingError";
}
