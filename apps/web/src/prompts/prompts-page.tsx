import { Route, Routes } from 'react-router';
import { NewPrompt } from './new-prompt.js';
import { PromptDetail } from './prompt-detail.js';
import { PromptList } from './prompt-list.js';
import './prompts.css';

/**
 * The Prompts page: the list by folder (`/prompts`), a new prompt (`/prompts/-/new`) and one
 * prompt (`/prompts/<name>`) with its editor, history and labels, diff and playground.
 */
export function PromptsPage() {
  return (
    <Routes>
      <Route index element={<PromptList />} />
      <Route path="-/new" element={<NewPrompt />} />
      <Route path="*" element={<PromptDetail />} />
    </Routes>
  );
}
