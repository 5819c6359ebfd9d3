import type { SpanNodeBody, TraceDetailBody } from '@flywheel/spec';
import { type ReactNode, useId } from 'react';
import { JsonView } from '../components/json-view.js';
import { formatCount, formatDuration } from '../format/format-number.js';
import { toConversation } from './chat-messages.js';
import { ConversationView } from './conversation-view.js';
import { formatTraceCost, formatTraceTime } from './trace-format.js';
import { StatusBadge } from './trace-parts.js';

/** A list of facts: label, then value; values are text. */
export function Facts({ items, label }: { items: Array<[string, ReactNode]>; label: string }) {
  return (
    <dl className="trace-facts" aria-label={label}>
      {items.map(([name, value]) => (
        <div key={name} className="trace-fact">
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** One span: what it did, its timing, usage and cost, its messages as a conversation, and its raw JSON. */
export function SpanDetail({ span, traceStart }: { span: SpanNodeBody; traceStart: string }) {
  const headingId = useId();
  const offset = Date.parse(span.start_time) - Date.parse(traceStart);
  const facts: Array<[string, ReactNode]> = [
    ['Kind', span.kind],
    ['Status', <StatusBadge key="status" status={span.status} />],
    [
      'Started',
      `${formatTraceTime(span.start_time)}${Number.isFinite(offset) ? ` (+${formatDuration(offset)})` : ''}`,
    ],
    ['Duration', formatDuration(span.duration_ms)],
  ];
  if (span.model !== null) facts.push(['Model', span.model]);
  if (span.provider !== null) facts.push(['Provider', span.provider]);
  if (span.time_to_first_token_ms !== null)
    facts.push(['First token after', formatDuration(span.time_to_first_token_ms)]);
  if (span.usage) {
    const { usage } = span;
    facts.push(
      ['Tokens in', formatCount(usage.input_tokens)],
      ['Tokens out', formatCount(usage.output_tokens)],
    );
    if (usage.cached_input_tokens !== null)
      facts.push(['Cached tokens in', formatCount(usage.cached_input_tokens)]);
    if (usage.reasoning_tokens !== null)
      facts.push(['Reasoning tokens', formatCount(usage.reasoning_tokens)]);
    if (usage.estimated) facts.push(['Token counts', 'estimated by a tokenizer']);
  }
  if (span.kind === 'generation' || span.cost !== null) facts.push(['Cost', formatTraceCost(span)]);
  if (span.prompt) facts.push(['Prompt', `${span.prompt.name} v${span.prompt.version}`]);
  facts.push(['Span id', <code key="id">{span.id}</code>]);

  return (
    <section className="panel span-detail" aria-labelledby={headingId}>
      <h2 id={headingId} className="panel-title">
        {span.name || span.id}
      </h2>
      {span.status === 'error' && span.status_message ? (
        <p className="span-status-message" role="note">
          {span.status_message}
        </p>
      ) : null}
      <Facts label="About this span" items={facts} />
      <Payloads
        input={span.input}
        output={span.output}
        inputTruncated={span.input_truncated}
        outputTruncated={span.output_truncated}
      />
      {Object.keys(span.attributes).length > 0 ? (
        <div className="payload">
          <h3>Attributes</h3>
          <JsonView value={span.attributes} label="Attributes" collapseDepth={1} />
        </div>
      ) : null}
    </section>
  );
}

/** The trace as a whole: its own input, output and metadata, when it has them. */
export function TraceOverview({ trace }: { trace: TraceDetailBody }) {
  const headingId = useId();
  const hasPayload = trace.input !== null || trace.output !== null;
  return (
    <section className="panel span-detail" aria-labelledby={headingId}>
      <h2 id={headingId} className="panel-title">
        The whole trace
      </h2>
      {hasPayload ? (
        <Payloads input={trace.input} output={trace.output} inputTruncated={false} outputTruncated={false} />
      ) : (
        <p className="muted">
          The trace has no input or output of its own; choose a span in the tree to see what it received and
          answered.
        </p>
      )}
      {Object.keys(trace.metadata).length > 0 ? (
        <div className="payload">
          <h3>Metadata</h3>
          <JsonView value={trace.metadata} label="Metadata" collapseDepth={1} />
        </div>
      ) : null}
    </section>
  );
}

/** Input and output: a conversation when they are chat messages, and always the JSON, foldable. */
function Payloads({
  input,
  output,
  inputTruncated,
  outputTruncated,
}: {
  input: unknown;
  output: unknown;
  inputTruncated: boolean;
  outputTruncated: boolean;
}) {
  const turns = toConversation(input, output);
  return (
    <>
      {turns ? (
        <div className="payload">
          <h3>Conversation</h3>
          <ConversationView turns={turns} label="Conversation" />
        </div>
      ) : null}
      <div className="payload-pair">
        <Payload title="Input" value={input} truncated={inputTruncated} />
        <Payload title="Output" value={output} truncated={outputTruncated} />
      </div>
    </>
  );
}

function Payload({ title, value, truncated }: { title: string; value: unknown; truncated: boolean }) {
  return (
    <div className="payload">
      <h3>{title}</h3>
      {value === null || value === undefined ? (
        <p className="muted">None recorded.</p>
      ) : (
        <JsonView value={value} label={title} collapseDepth={3} />
      )}
      {truncated ? <p className="field-hint">Cut to the server's size limit when it was stored.</p> : null}
    </div>
  );
}
