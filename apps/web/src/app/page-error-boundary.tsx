import { Component, type ErrorInfo, type ReactNode } from 'react';
import { ErrorMessage } from '../components/error-message.js';

/**
 * Catches what a page throws while rendering (or a page chunk that no longer loads after an
 * upgrade) and shows it, keeping the navigation usable. Reset by changing `resetKey` (the URL).
 */
export class PageErrorBoundary extends Component<
  { resetKey: string; children: ReactNode },
  { error: unknown; resetKey: string }
> {
  override state: { error: unknown; resetKey: string } = { error: undefined, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  static getDerivedStateFromProps(
    props: { resetKey: string },
    state: { error: unknown; resetKey: string },
  ): Partial<{ error: unknown; resetKey: string }> | null {
    return props.resetKey === state.resetKey ? null : { error: undefined, resetKey: props.resetKey };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error('A page failed to render', error, info.componentStack);
  }

  override render() {
    if (this.state.error !== undefined) {
      return (
        <ErrorMessage
          title="This page failed to load"
          error={this.state.error}
          onRetry={() => window.location.reload()}
        />
      );
    }
    return this.props.children;
  }
}
