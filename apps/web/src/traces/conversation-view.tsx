import type { ChatTurn } from './chat-messages.js';

const roleLabels: Record<string, string> = {
  system: 'System',
  developer: 'Developer',
  user: 'User',
  assistant: 'Assistant',
  tool: 'Tool',
  function: 'Function',
};

/**
 * Chat messages as a conversation, one bubble per turn, the answer marked as the output. Text is
 * rendered as text with its line breaks: markup in a message shows as characters.
 */
export function ConversationView({ turns, label }: { turns: ChatTurn[]; label: string }) {
  return (
    <ol className="conversation" aria-label={label}>
      {turns.map((turn, index) => (
        // Turns have no ids; their order is their identity.
        // biome-ignore lint/suspicious/noArrayIndexKey: the list is rebuilt whole, never reordered
        <li key={index} className="chat-turn" data-role={turn.role} data-output={turn.isOutput}>
          <p className="chat-role">
            {roleLabels[turn.role] ?? turn.role}
            {turn.isOutput ? <span className="chat-output-mark">Output</span> : null}
          </p>
          {turn.text ? (
            <p className="chat-text">{turn.text}</p>
          ) : turn.toolCalls.length === 0 ? (
            <p className="chat-text muted">(no text)</p>
          ) : null}
          {turn.toolCalls.length > 0 ? (
            <ul className="chat-tool-calls" aria-label="Tool calls">
              {turn.toolCalls.map((call, callIndex) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: calls of one message, in their order
                <li key={callIndex}>
                  <code>{call}</code>
                </li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
