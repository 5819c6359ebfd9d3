// Regenerates docs/errors.md from the error-code registry: `npm run docs:errors` (after a build).
import { writeFileSync } from 'node:fs';
import { errorCodes } from '../../packages/spec/dist/index.js';

const lines = [
  '# Error codes',
  '',
  'Every error Flywheel answers with has a stable `code`. Messages may be reworded between versions; codes never change meaning. Match on the code, show the message.',
  '',
  'The REST API (`/api/*`) answers errors as:',
  '',
  '```json',
  '{ "error": { "code": "validation_failed", "message": "Invalid request body: body.name: ...", "details": [...], "request_id": "req_..." } }',
  '```',
  '',
  'The gateway (`/v1/*`) answers in the OpenAI error shape, with the code in `code`, so OpenAI clients surface it as usual:',
  '',
  '```json',
  '{ "error": { "message": "The model \'x\' does not exist. ...", "type": "invalid_request_error", "code": "model_not_found", "param": null } }',
  '```',
  '',
  "A provider's own 4xx error (other than 429) is passed on with the provider's status and body. `request_id` is also sent as the `x-request-id` header and appears in the server log next to the failure. Retryable errors carry a `Retry-After` header (seconds) where a wait is known. The CLI prints `error: <message>` (settings and arguments, exit code 2) or `error [<code>]: <message>` (exit code 1).",
  '',
  '| code | HTTP | retryable | meaning and what to do |',
  '| --- | --- | --- | --- |',
  ...Object.entries(errorCodes).map(
    ([code, entry]) =>
      `| \`${code}\` | ${entry.status} | ${entry.retryable ? 'yes' : 'no'} | ${entry.summary} |`,
  ),
  '',
];
writeFileSync(new URL('../../docs/errors.md', import.meta.url), lines.join('\n'));
