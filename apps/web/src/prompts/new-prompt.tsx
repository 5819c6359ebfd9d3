import { Link } from 'react-router';
import { PageHeader } from '../components/page-header.js';
import { PromptEditor } from './prompt-editor.js';

/** A new prompt: its name, type, first template and config. Saving makes version 1. */
export function NewPrompt() {
  return (
    <>
      <nav aria-label="Breadcrumb" className="prompts-breadcrumb">
        <Link to="/prompts">Prompts</Link>
      </nav>
      <PageHeader title="New prompt" description="Saving makes version 1; later saves add versions." />
      <PromptEditor />
    </>
  );
}
