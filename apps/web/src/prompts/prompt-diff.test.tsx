// @vitest-environment jsdom
import type { PromptDiffBody } from '@flywheel/spec';
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { sideBySideRows } from './diff-rows.js';
import { SideBySideDiff } from './prompt-diff.js';

const diff: PromptDiffBody = {
  name: 'support/triage',
  from: { version: 1 },
  to: { version: 2 },
  template: {
    lines: [
      { op: 'equal', text: 'You route tickets.', from_line: 1, to_line: 1 },
      { op: 'remove', text: 'Ticket: {{ticket}}', from_line: 2, to_line: null },
      { op: 'remove', text: 'Be brief.', from_line: 3, to_line: null },
      { op: 'add', text: 'Ticket from {{customer}}: {{ticket}}', from_line: null, to_line: 2 },
      { op: 'equal', text: 'Answer with a team.', from_line: 4, to_line: 3 },
      { op: 'add', text: '<script>alert(1)</script>', from_line: null, to_line: 4 },
    ],
    added: 2,
    removed: 2,
  },
  config: [],
};

/** Each body row as [left number, left text, right number, right text], hidden "Removed:"/"Added:" prefixes left out. */
function rowTexts(table: HTMLElement): string[][] {
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) =>
      [...row.querySelectorAll('td')].map((cell) =>
        [...cell.childNodes]
          .filter((node) => !(node instanceof HTMLElement && node.classList.contains('visually-hidden')))
          .map((node) => node.textContent)
          .join(''),
      ),
    );
}

describe('side-by-side diff', () => {
  afterEach(cleanup);

  it('puts equal lines face to face and pairs removed lines with added ones, the longer side against empty cells', () => {
    render(<SideBySideDiff diff={diff} />);
    const table = screen.getByRole('table');
    expect(rowTexts(table)).toEqual([
      ['1', 'You route tickets.', '1', 'You route tickets.'],
      ['2', 'Ticket: {{ticket}}', '2', 'Ticket from {{customer}}: {{ticket}}'],
      ['3', 'Be brief.', '', ''],
      ['4', 'Answer with a team.', '3', 'Answer with a team.'],
      ['', '', '4', '<script>alert(1)</script>'],
    ]);
    const ops = [...table.querySelectorAll('tbody tr')].map((row) =>
      [...row.querySelectorAll('td[data-op]')].map((cell) => cell.getAttribute('data-op')),
    );
    expect(ops).toEqual([
      ['equal', 'equal'],
      ['remove', 'add'],
      ['remove', 'empty'],
      ['equal', 'equal'],
      ['empty', 'add'],
    ]);
  });

  it('heads the columns with the two versions and says which lines changed to screen readers', () => {
    render(<SideBySideDiff diff={diff} />);
    expect(screen.getByRole('columnheader', { name: 'v1' })).toBeTruthy();
    expect(screen.getByRole('columnheader', { name: 'v2' })).toBeTruthy();
    expect(screen.getByRole('cell', { name: /^Removed:\s*Be brief\.$/ })).toBeTruthy();
    expect(
      screen.getByRole('cell', { name: /^Added:\s*Ticket from \{\{customer\}\}: \{\{ticket\}\}$/ }),
    ).toBeTruthy();
  });

  it('shows template text containing markup as text', () => {
    const { container } = render(<SideBySideDiff diff={diff} />);
    expect(container.querySelector('tbody script')).toBeNull();
    expect(container.textContent).toContain('<script>alert(1)</script>');
  });

  it('keeps an added-only region on the right and a removed-only region on the left', () => {
    expect(
      sideBySideRows([
        { op: 'add', text: 'new first', from_line: null, to_line: 1 },
        { op: 'equal', text: 'same', from_line: 1, to_line: 2 },
        { op: 'remove', text: 'old last', from_line: 2, to_line: null },
      ]),
    ).toEqual([
      { kind: 'change', left: null, right: { line: 1, text: 'new first' } },
      { kind: 'equal', left: { line: 1, text: 'same' }, right: { line: 2, text: 'same' } },
      { kind: 'change', left: { line: 2, text: 'old last' }, right: null },
    ]);
  });
});
