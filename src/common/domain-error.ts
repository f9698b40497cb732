/**
 * Stable error codes shared by REST and WebSocket. Clients branch on these, so they never change
 * meaning; the README documents each one.
 */
export const ERROR_CODES = {
  bad_request: { status: 400, retryable: false },
  bad_json: { status: 400, retryable: false },
  bad_frame: { status: 400, retryable: false },
  unknown_event: { status: 400, retryable: false },
  validation_failed: { status: 400, retryable: false },
  message_too_long: { status: 413, retryable: false },
  unauthorized: { status: 401, retryable: false },
  forbidden: { status: 403, retryable: false },
  not_found: { status: 404, retryable: false },
  invalid_credentials: { status: 401, retryable: false },
  email_taken: { status: 409, retryable: false },
  user_not_found: { status: 404, retryable: false },
  conversation_not_found: { status: 404, retryable: false },
  message_not_found: { status: 404, retryable: false },
  rate_limited: { status: 429, retryable: true },
  cannot_message_self: { status: 400, retryable: false },
  unavailable: { status: 503, retryable: true },
  // Not retryable: the outcome is unknown, and a retry without clientMsgId could store twice.
  internal_error: { status: 500, retryable: false },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An expected failure with a code the client can act on. Thrown by services, mapped by each transport's filter. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].status;
  }
}
