// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonView } from './json-view.js';

const value = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: '<script>alert(1)</script><img src=x onerror=alert(2)>' },
  ],
  usage: { input_tokens: 12, cached: null, estimated: false },
  empty: {},
};

describe('JsonView', () => {
  afterEach(cleanup);

  it('folds objects and arrays from the given depth and unfolds them by button', async () => {
    const { container } = render(<JsonView value={value} label="Output" collapseDepth={1} />);
    const messages = screen.getByRole('button', { name: 'Unfold Output › messages (2 items)' });
    expect(messages.getAttribute('aria-expanded')).toBe('false');
    expect(container.textContent).not.toContain('"assistant"');
    expect(container.textContent).toContain('"model": "gpt-4o-mini"');

    await userEvent.click(messages);
    expect(messages.getAttribute('aria-expanded')).toBe('true');
    expect(messages.getAttribute('aria-label')).toBe('Fold Output › messages (2 items)');
    // Items one level further down stay folded until asked.
    expect(container.textContent).not.toContain('"role": "assistant"');
    await userEvent.click(screen.getByRole('button', { name: 'Unfold Output › messages › 1 (2 keys)' }));
    expect(container.textContent).toContain('"role": "assistant"');

    await userEvent.click(screen.getByRole('button', { name: 'Fold Output (4 keys)' }));
    expect(container.textContent).toContain('… 4 keys');
    expect(container.textContent).not.toContain('gpt-4o-mini');
  });

  it('renders strings as text: markup in model output never becomes elements', async () => {
    const { container } = render(<JsonView value={value} label="Output" collapseDepth={5} />);
    expect(container.textContent).toContain('"<script>alert(1)</script><img src=x onerror=alert(2)>"');
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
  });

  it('shows numbers, booleans, null and empty containers as JSON does', () => {
    const { container } = render(<JsonView value={value} label="Output" />);
    expect(container.textContent).toContain('"input_tokens": 12,');
    expect(container.textContent).toContain('"cached": null,');
    expect(container.textContent).toContain('"estimated": false');
    expect(container.textContent).toContain('"empty": {}');
  });

  it('shows a bare string or number at the root', () => {
    const { container } = render(<JsonView value="plain answer" label="Output" />);
    expect(container.textContent).toBe('"plain answer"');
  });
});
