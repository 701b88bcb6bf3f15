import type { JSX } from 'react';
import { Card, Stat } from '../../../components/Card';
import { useFormat } from '../../../hooks/useFormat';
import { useT } from '../../i18n/i18n';
import { usePlayground } from './playgroundStore';

/** What the last reply took: its route, time to first token, tokens and cost. */
export function RunStats(): JSX.Element | null {
  const { t } = useT();
  const format = useFormat();
  const last = usePlayground((state) => state.last);
  if (!last) return null;
  const none = t('common.none');
  const routeText =
    last.route === null
      ? none
      : last.nodeId
        ? t('playground.routeNode', { route: last.route, node: last.nodeId })
        : last.route;
  return (
    <Card title={t('playground.lastRun')} testId="playground-stats">
      <div className="stats-grid">
        <Stat label={t('playground.servedBy')} value={routeText} testId="playground-served-by" />
        <Stat
          label={t('playground.ttft')}
          value={
            last.timeToFirstTokenMs === null
              ? none
              : t('playground.ms', { value: format.number(last.timeToFirstTokenMs, 0) })
          }
          testId="playground-ttft"
        />
        <Stat
          label={t('playground.tokens')}
          value={
            last.promptTokens === null
              ? none
              : t('playground.tokenCounts', {
                  prompt: format.number(last.promptTokens, 0),
                  completion: format.number(last.completionTokens ?? 0, 0),
                })
          }
          testId="playground-tokens"
        />
        <Stat
          label={t('playground.cost')}
          value={last.chargedUsd === null ? none : format.usd(last.chargedUsd)}
          testId="playground-cost"
        />
      </div>
    </Card>
  );
}
