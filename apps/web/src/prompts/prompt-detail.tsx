import { type PromptVersionBody, promptNameSchema } from '@flywheel/spec';
import { Link, useParams, useSearchParams } from 'react-router';
import { useApiQuery } from '../api/use-api-query.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage } from '../components/error-message.js';
import { LoadingState } from '../components/loading-state.js';
import { PageHeader } from '../components/page-header.js';
import { PromptDiffView } from './prompt-diff.js';
import { PromptEditor } from './prompt-editor.js';
import { PromptHistory } from './prompt-history.js';
import { labelMap } from './prompt-labels.js';
import { parseVersion, parseView, promptUrl, promptViews } from './prompt-paths.js';
import { PromptPlayground } from './prompt-playground.js';

/** One prompt: its versions, newest first, and the view the URL asks for. */
export function PromptDetail() {
  const name = (useParams()['*'] ?? '').replace(/\/+$/, '');
  const [params] = useSearchParams();
  const view = parseView(params.get('view'));
  const valid = promptNameSchema.safeParse(name).success;
  const versions = useApiQuery(
    ['prompts', 'versions', name],
    async (client) => [...(await client.prompts.versions(name))].sort((a, b) => b.version - a.version),
    { enabled: valid },
  );

  if (!valid) {
    return (
      <>
        <PageHeader title="Prompt not found" />
        <EmptyState title={`“${name}” is not a prompt name`} action={<Link to="/prompts">All prompts</Link>}>
          Names are segments of letters, digits and _ . - joined by /, e.g. support/triage.
        </EmptyState>
      </>
    );
  }

  const latest = versions.data?.[0];
  return (
    <>
      <nav aria-label="Breadcrumb" className="prompts-breadcrumb">
        <Link to="/prompts">Prompts</Link>
        {name
          .split('/')
          .slice(0, -1)
          .map((_segment, index, folders) => {
            const folder = folders.slice(0, index + 1).join('/');
            return (
              <span key={folder}>
                <span aria-hidden="true"> / </span>
                <Link to={`/prompts?${new URLSearchParams({ folder })}`}>{folders[index]}</Link>
              </span>
            );
          })}
      </nav>
      <PageHeader
        title={name}
        description={latest ? describePrompt(latest, versions.data ?? []) : undefined}
      />
      <nav aria-label="Prompt views" className="prompts-tabs">
        <ul>
          {promptViews.map((entry) => (
            <li key={entry.view}>
              <Link
                to={promptUrl(name, entry.view)}
                aria-current={entry.view === view ? 'page' : undefined}
                className="prompts-tab"
              >
                {entry.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {versions.isPending ? (
        <LoadingState label="Loading the prompt…" />
      ) : versions.isError ? (
        <ErrorMessage
          title={`Could not load ${name}`}
          error={versions.error}
          onRetry={() => void versions.refetch()}
        />
      ) : versions.data.length === 0 || !latest ? (
        <EmptyState title="This prompt has no versions" action={<Link to="/prompts">All prompts</Link>} />
      ) : view === 'history' ? (
        <PromptHistory name={name} versions={versions.data} />
      ) : view === 'diff' ? (
        <PromptDiffView name={name} versions={versions.data} />
      ) : view === 'playground' ? (
        <PromptPlayground name={name} versions={versions.data} />
      ) : (
        <EditorView name={name} versions={versions.data} version={parseVersion(params.get('version'))} />
      )}
    </>
  );
}

function EditorView({
  name,
  versions,
  version,
}: {
  name: string;
  versions: PromptVersionBody[];
  version: number | undefined;
}) {
  const latest = versions[0]!;
  const base = version === undefined ? latest : versions.find((candidate) => candidate.version === version);
  if (!base) {
    return (
      <EmptyState
        title={`${name} has no version ${version}`}
        action={<Link to={promptUrl(name)}>Edit the newest version (v{latest.version})</Link>}
      />
    );
  }
  return <PromptEditor key={`${name}@${base.version}`} name={name} base={base} versions={versions} />;
}

/** "Text prompt · 2 versions · production → v1, latest → v2" */
function describePrompt(latest: PromptVersionBody, versions: readonly PromptVersionBody[]): string {
  const labels = Object.entries(labelMap(versions))
    .sort(([a], [b]) => (a === 'production' ? -1 : b === 'production' ? 1 : a < b ? -1 : 1))
    .map(([label, version]) => `${label} → v${version}`)
    .join(', ');
  const count = `${versions.length} ${versions.length === 1 ? 'version' : 'versions'}`;
  return [`${latest.type === 'chat' ? 'Chat' : 'Text'} prompt`, count, labels].filter(Boolean).join(' · ');
}
