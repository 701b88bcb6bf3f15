import type { JSX } from 'react';
import { Card } from '../../../components/Card';
import { useT } from '../../i18n/i18n';
import { usePlayground } from './playgroundStore';

/** The conversation so far; the reply grows as it streams. */
export function ChatTranscript({ orgId }: { orgId: string }): JSX.Element {
  const { t } = useT();
  const owner = usePlayground((state) => state.orgId);
  const allTurns = usePlayground((state) => state.turns);
  const turns = owner === orgId ? allTurns : [];
  const running = usePlayground((state) => state.running);
  const clear = usePlayground((state) => state.clear);
  return (
    <Card
      title={t('playground.conversation')}
      testId="playground-conversation"
      actions={
        turns.length > 0 && (
          <button type="button" onClick={clear} disabled={running} data-testid="playground-clear">
            {t('playground.clear')}
          </button>
        )
      }
    >
      {turns.length === 0 ? (
        <p className="muted" data-testid="playground-empty">
          {t('playground.empty')}
        </p>
      ) : (
        <ol className="chat" aria-live="polite">
          {turns.map((turn, index) => (
            <li
              key={index}
              className={`chat-turn ${turn.role}`}
              data-testid={`playground-turn-${turn.role}`}
            >
              <span className="chat-role">{t(`playground.roles.${turn.role}`)}</span>
              <p className="chat-text">
                {turn.content ||
                  (running && index === turns.length - 1 ? t('playground.waiting') : '')}
              </p>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
