/**
 * Every stable error code Flywheel answers with. The code is the contract: messages may be
 * reworded, codes never change meaning. `docs/errors.md` lists each one (a test keeps them in step).
 */
export const errorCodes = {
  validation_failed: {
    status: 400,
    retryable: false,
    summary: 'The request body or query does not match the schema.',
  },
  invalid_json: { status: 400, retryable: false, summary: 'The request body is not valid JSON.' },
  missing_api_key: {
    status: 401,
    retryable: false,
    summary: 'No `Authorization: Bearer <key>` header was sent.',
  },
  invalid_api_key: {
    status: 401,
    retryable: false,
    summary: 'The API key is malformed, unknown or revoked.',
  },
  insufficient_scope: {
    status: 403,
    retryable: false,
    summary: 'The API key lacks the scope this operation needs.',
  },
  instance_admin_required: {
    status: 403,
    retryable: false,
    summary: 'Only an instance-admin key may do this.',
  },
  route_not_found: { status: 404, retryable: false, summary: 'No endpoint has this method and path.' },
  project_not_found: {
    status: 404,
    retryable: false,
    summary: 'No project with this id is visible to the key.',
  },
  api_key_not_found: {
    status: 404,
    retryable: false,
    summary: 'No API key with this id exists in the project.',
  },
  model_not_found: {
    status: 404,
    retryable: false,
    summary:
      'No model alias with this name is configured, or the key may not use it. `GET /v1/models` lists the ones it may.',
  },
  upstream_error: {
    status: 502,
    retryable: false,
    summary:
      'The model provider answered with an error; its status and message are passed on (4xx keep their status).',
  },
  upstream_rate_limited: {
    status: 429,
    retryable: true,
    summary:
      'The model provider rate-limited the request and retries within the cap did not get through; wait `Retry-After` seconds.',
  },
  upstream_unreachable: {
    status: 502,
    retryable: true,
    summary: 'No connection to the model provider could be made (refused, reset, DNS, connect timeout).',
  },
  upstream_timeout: {
    status: 504,
    retryable: true,
    summary: 'The model provider did not answer within a phase timeout (first token, idle or total).',
  },
  no_healthy_target: {
    status: 503,
    retryable: true,
    summary:
      'Every target of the model alias (and its fallbacks) is failing; their circuit breakers are open. Retry after `Retry-After`.',
  },
  client_closed_request: {
    status: 499,
    retryable: false,
    summary: 'The client disconnected before the answer was complete; the upstream call was aborted.',
  },
  unsafe_url: {
    status: 400,
    retryable: false,
    summary:
      'A URL points at a private, loopback, link-local or otherwise disallowed address, or has a disallowed scheme or credentials. Add the host to FLYWHEEL_ALLOWED_HOSTS to allow it.',
  },
  provider_not_found: {
    status: 404,
    retryable: false,
    summary: 'No stored provider credential with this id exists in the project.',
  },
  encryption_key_missing: {
    status: 400,
    retryable: false,
    summary: 'Storing provider secrets needs FLYWHEEL_ENCRYPTION_KEY (32 bytes, base64 or hex).',
  },
  conflict: {
    status: 409,
    retryable: false,
    summary: 'A resource with this name already exists; pick another name or delete the old one.',
  },
  trace_not_found: {
    status: 404,
    retryable: false,
    summary: 'No trace with this id exists in the project of the key.',
  },
  invalid_otlp: {
    status: 400,
    retryable: false,
    summary:
      'The OTLP body cannot be decoded (broken protobuf or JSON that is not an ExportTraceServiceRequest); nothing of it was stored.',
  },
  invalid_cursor: {
    status: 400,
    retryable: false,
    summary: 'The `cursor` is not one this server gave out; start again without it.',
  },
  ingest_overloaded: {
    status: 429,
    retryable: true,
    summary:
      'More events are waiting to be written than the server holds; nothing of this request was stored. Retry after `Retry-After` seconds.',
  },
  prompt_not_found: {
    status: 404,
    retryable: false,
    summary:
      'No prompt with this name exists in the project, or it has no version with this number or label.',
  },
  prompt_version_conflict: {
    status: 409,
    retryable: false,
    summary:
      'The prompt has moved on since the version you started from (`base_version`); fetch the newest version, re-apply your change, and save again.',
  },
  label_protected: {
    status: 403,
    retryable: false,
    summary: 'This label is protected in the project: only keys with the `admin` scope may move it.',
  },
  template_invalid: {
    status: 400,
    retryable: false,
    summary:
      'The prompt template does not parse: an unknown tag, an unclosed section, a partial or a delimiter change. The message names the line and column.',
  },
  template_variables_missing: {
    status: 400,
    retryable: false,
    summary:
      'Rendering the template needs variables that were not given (the message names them); pass them, or ask for lenient rendering.',
  },
  template_render_failed: {
    status: 400,
    retryable: false,
    summary:
      'A variable value cannot be rendered (a function, or output past the size cap); no code ever runs in a template.',
  },
  dataset_not_found: {
    status: 404,
    retryable: false,
    summary:
      'No dataset with this name exists in the project, or it has no version with this number. `GET /api/datasets` lists them.',
  },
  dataset_item_not_found: {
    status: 404,
    retryable: false,
    summary: 'The dataset has no item with this id (at the version asked for, default the current one).',
  },
  invalid_import_file: {
    status: 400,
    retryable: false,
    summary:
      'CLI only: a CSV or JSONL file given to `flywheel datasets import` cannot be used; the message names the file, the line and what to fix. Nothing of it was sent.',
  },
  experiment_not_found: {
    status: 404,
    retryable: false,
    summary: 'No experiment with this id exists in the project of the key.',
  },
  payload_too_large: { status: 413, retryable: false, summary: 'The request body exceeds the size limit.' },
  unsupported_media_type: {
    status: 415,
    retryable: false,
    summary: 'The request body has a content type the endpoint does not accept.',
  },
  internal_error: {
    status: 500,
    retryable: false,
    summary: 'An unexpected error; the server log has the details under the request id.',
  },
  storage_busy: {
    status: 503,
    retryable: true,
    summary: 'The database is locked by another writer; retry after the `Retry-After` delay.',
  },
  storage_full: {
    status: 507,
    retryable: true,
    summary: 'The disk holding the database is full; nothing was written. Free space and retry.',
  },
  storage_unavailable: {
    status: 503,
    retryable: true,
    summary: 'The database cannot be reached; retry later.',
  },
  shutting_down: {
    status: 503,
    retryable: true,
    summary: 'The server is draining before it stops; retry against another instance or later.',
  },
  invalid_setting: {
    status: 400,
    retryable: false,
    summary: 'A setting (flag, environment variable or config file) has a value that is not allowed.',
  },
  invalid_argument: {
    status: 400,
    retryable: false,
    summary: 'A command-line argument is missing, unknown or malformed.',
  },
  server_unreachable: {
    status: 503,
    retryable: true,
    summary: 'SDK and CLI only: the Flywheel server could not be reached (network error or timeout).',
  },
  migration_failed: {
    status: 500,
    retryable: false,
    summary: 'A database migration failed; the database was left at the last good migration.',
  },
} as const satisfies Record<string, { status: number; retryable: boolean; summary: string }>;

/** A stable Flywheel error code. */
export type ErrorCode = keyof typeof errorCodes;

/** Every error code, in declaration order. */
export const allErrorCodes = Object.keys(errorCodes) as ErrorCode[];

/** Whether `value` is a known Flywheel error code. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}
