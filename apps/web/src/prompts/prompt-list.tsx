import type { PromptSummaryBody } from '@flywheel/spec';
import { Link, useSearchParams } from 'react-router';
import { useApiQuery } from '../api/use-api-query.js';
import { DataTable, type DataTableColumn } from '../components/data-table.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage } from '../components/error-message.js';
import { LoadingState } from '../components/loading-state.js';
import { PageHeader } from '../components/page-header.js';
import { LabelChips } from './label-chips.js';
import { isInFolder, promptFolders } from './prompt-folders.js';
import { newPromptPath, promptUrl } from './prompt-paths.js';

/** Every prompt of the project, by folder (`?folder=support`), with its newest version and labels. */
export function PromptList() {
  const [params] = useSearchParams();
  const folder = params.get('folder') ?? undefined;
  const prompts = useApiQuery(['prompts', 'list'], (client) => client.prompts.list());

  return (
    <>
      <PageHeader
        title="Prompts"
        description="Versioned templates with their model config. Labels (production, staging…) say which version applications get."
        actions={
          <Link to={newPromptPath} className="button button-primary">
            New prompt
          </Link>
        }
      />
      {prompts.isPending ? (
        <LoadingState label="Loading prompts…" />
      ) : prompts.isError ? (
        <ErrorMessage
          title="Could not load prompts"
          error={prompts.error}
          onRetry={() => void prompts.refetch()}
        />
      ) : prompts.data.length === 0 ? (
        <EmptyState
          title="No prompts yet"
          action={
            <Link to={newPromptPath} className="button button-primary">
              Create the first prompt
            </Link>
          }
        >
          Create one here, or save one with the SDK (<code>flywheel.prompts.create(…)</code>) or{' '}
          <code>POST /api/prompts</code>.
        </EmptyState>
      ) : (
        <div className="prompts-browser">
          <FolderNav prompts={prompts.data} current={folder} />
          <PromptTable prompts={prompts.data} folder={folder} />
        </div>
      )}
    </>
  );
}

function FolderNav({ prompts, current }: { prompts: PromptSummaryBody[]; current: string | undefined }) {
  const folders = promptFolders(prompts.map((prompt) => prompt.name));
  return (
    <nav className="panel prompts-folders" aria-label="Folders">
      <h2 className="panel-title">Folders</h2>
      <ul>
        <li>
          <Link
            to="/prompts"
            aria-current={current === undefined ? 'page' : undefined}
            className="prompts-folder"
          >
            <span>All prompts</span>
            <span className="muted">{prompts.length}</span>
          </Link>
        </li>
        {folders.map((folder) => (
          <li key={folder.path}>
            <Link
              to={`/prompts?${new URLSearchParams({ folder: folder.path })}`}
              aria-current={current === folder.path ? 'page' : undefined}
              className="prompts-folder"
              data-depth={Math.min(folder.path.split('/').length - 1, 4)}
            >
              <span>{folder.path.split('/').at(-1)}/</span>
              <span className="muted">{folder.count}</span>
            </Link>
          </li>
        ))}
      </ul>
      {folders.length === 0 ? <p className="muted">Names with a “/” (support/triage) make folders.</p> : null}
    </nav>
  );
}

function PromptTable({ prompts, folder }: { prompts: PromptSummaryBody[]; folder: string | undefined }) {
  const shown = folder === undefined ? prompts : prompts.filter((prompt) => isInFolder(prompt.name, folder));
  const columns: DataTableColumn<PromptSummaryBody>[] = [
    {
      id: 'name',
      header: 'Name',
      cell: (prompt) => <Link to={promptUrl(prompt.name)}>{prompt.name}</Link>,
      wrap: true,
    },
    { id: 'type', header: 'Type', cell: (prompt) => prompt.type },
    { id: 'latest', header: 'Latest', cell: (prompt) => `v${prompt.latest_version}`, align: 'end' },
    {
      id: 'labels',
      header: 'Labels',
      cell: (prompt) => <LabelChips labels={prompt.labels} />,
      wrap: true,
    },
    { id: 'updated', header: 'Updated', cell: (prompt) => formatDateTime(prompt.updated_at) },
  ];
  const caption = folder === undefined ? 'All prompts' : `Prompts in ${folder}/`;
  return (
    <section className="panel prompts-table" aria-label={caption}>
      {folder !== undefined && shown.length === 0 ? (
        <EmptyState title={`No prompts in ${folder}/`}>
          <Link to="/prompts">Show all prompts</Link>
        </EmptyState>
      ) : (
        <DataTable caption={caption} columns={columns} rows={shown} rowKey={(prompt) => prompt.name} />
      )}
    </section>
  );
}

/** A date and time in the reader's locale and time zone. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
