import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { NodeStanding } from '../../../../common/nodeApi';
import { Card } from '../../components/Card';
import { useFormat } from '../../hooks/useFormat';

const PARTS = ['acceptance', 'completion', 'availability', 'speed'] as const;

/**
 * The node's standing as the gateway sees it: its reliability score, its rank among the
 * nodes serving its models, what lowered it today and what to do, and its lifetime tokens
 * with the contributor milestone they reached.
 */
export function StandingPanel({ standing }: { standing: NodeStanding | null }): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  if (!standing) {
    return (
      <Card title={t('standing.title')} testId="standing-panel">
        <p className="muted" data-testid="standing-none">
          {t('standing.none')}
        </p>
      </Card>
    );
  }
  return (
    <Card title={t('standing.title')} testId="standing-panel">
      <dl className="facts">
        <dt>{t('standing.score')}</dt>
        <dd data-testid="standing-score">{t('standing.scoreValue', { score: standing.score })}</dd>
        <dt>{t('standing.rankLabel')}</dt>
        <dd data-testid="standing-rank">
          {t('standing.rank', { rank: standing.rank, of: standing.of })}
        </dd>
        <dt>{t('standing.tokens')}</dt>
        <dd data-testid="standing-tokens">{format.number(standing.tokensServed, 0)}</dd>
        {PARTS.map((part) => (
          <FactPart key={part} label={t(`standing.part.${part}`)} share={standing.parts[part]} />
        ))}
      </dl>
      <p data-testid="standing-milestone">
        {standing.milestone !== null
          ? t('standing.milestone', { milestone: format.number(standing.milestone, 0) })
          : t('standing.firstMilestone')}{' '}
        {standing.nextMilestone !== null &&
          t('standing.nextMilestone', { next: format.number(standing.nextMilestone, 0) })}
      </p>
      {standing.today.length === 0 ? (
        <p className="muted" data-testid="standing-clean">
          {t('standing.clean')}
        </p>
      ) : (
        <ul className="standing-incidents">
          {standing.today.map((incident) => (
            <li key={`${incident.kind}-${incident.model}`} data-testid="standing-incident">
              <strong>
                {t(`standing.incident.${incident.kind}`, {
                  count: incident.count,
                  model: incident.model,
                })}
              </strong>{' '}
              {t('standing.fixPrefix')} {t(`standing.fix.${incident.kind}`)}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function FactPart({ label, share }: { label: string; share: number }): JSX.Element {
  const format = useFormat();
  return (
    <>
      <dt>{label}</dt>
      <dd>{format.percent(share * 100)}</dd>
    </>
  );
}
