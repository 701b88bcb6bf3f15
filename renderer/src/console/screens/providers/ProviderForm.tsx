import { useState, type JSX } from 'react';
import type { ProviderView } from '../../../../../common/adminRecords';
import { Card } from '../../../components/Card';
import { NumberField, TextField } from '../../../components/Fields';
import { SubmitRow } from '../../../components/SubmitRow';
import { useAction } from '../../../hooks/useAction';
import { localError } from '../../../stores/uiError';
import { admin } from '../../api/consoleApi';
import { TextAreaField } from '../../components/TextAreaField';
import { useT } from '../../i18n/i18n';
import { EMPTY_FIELDS, fieldsOf, providerBody, type ProviderFields } from './providerDraft';

/**
 * Adds a provider, or edits `existing` (its keys are never shown: left empty they stay as
 * they are). The keys typed are cleared once saved.
 */
export function ProviderForm(props: {
  existing: ProviderView | null;
  onSaved: () => void;
  onCancel: () => void;
}): JSX.Element {
  const { t } = useT();
  const editing = props.existing !== null;
  const [fields, setFields] = useState<ProviderFields>(
    props.existing ? fieldsOf(props.existing) : EMPTY_FIELDS,
  );
  const action = useAction();
  const set = (key: keyof ProviderFields) => (value: string) =>
    setFields((current) => ({ ...current, [key]: value }));
  const perMillion = t('providers.perMillion');
  return (
    <Card
      title={
        props.existing ? t('providers.edit', { name: props.existing.name }) : t('providers.add')
      }
      testId="providers-form"
    >
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          const checked = providerBody(fields, editing);
          if (!checked.ok) {
            action.fail(localError(t(checked.key, checked.values)));
            return;
          }
          void action.run(async () => {
            const name = encodeURIComponent(checked.body.name);
            if (editing) await admin<ProviderView>(`/providers/${name}`, 'PUT', checked.body);
            else await admin<ProviderView>('/providers', 'POST', checked.body);
            // Never keep a key on screen once the gateway has it.
            setFields((current) => (editing ? { ...current, keys: '' } : EMPTY_FIELDS));
            props.onSaved();
          });
        }}
      >
        <div className="form inline">
          {editing ? (
            <div className="field">
              <span style={{ fontWeight: 500 }}>{t('providers.name')}</span>
              <span className="mono" data-testid="providers-form-name-fixed">
                {fields.name}
              </span>
            </div>
          ) : (
            <TextField
              label={t('providers.name')}
              value={fields.name}
              onChange={set('name')}
              placeholder="openai-a"
              help={t('providers.nameHelp')}
              testId="providers-form-name"
            />
          )}
          <TextField
            label={t('providers.baseUrl')}
            value={fields.baseUrl}
            onChange={set('baseUrl')}
            placeholder="https://api.example.com/v1"
            help={t('providers.baseUrlHelp')}
            testId="providers-form-baseurl"
          />
        </div>
        <div className="form inline">
          <TextAreaField
            label={t('providers.keys')}
            value={fields.keys}
            onChange={set('keys')}
            mono
            secret
            placeholder="sk-…"
            help={editing ? t('providers.keysEditHelp') : t('providers.keysHelp')}
            testId="providers-form-keys"
          />
          <TextAreaField
            label={t('providers.models')}
            value={fields.models}
            onChange={set('models')}
            mono
            placeholder={'llama-3\ngpt-small = gpt-4o-mini'}
            help={t('providers.modelsHelp')}
            testId="providers-form-models"
          />
        </div>
        <div className="form inline">
          <NumberField
            label={t('providers.pricePrompt')}
            value={fields.pricePrompt}
            onChange={set('pricePrompt')}
            unit={perMillion}
            testId="providers-form-price-prompt"
          />
          <NumberField
            label={t('providers.priceCompletion')}
            value={fields.priceCompletion}
            onChange={set('priceCompletion')}
            unit={perMillion}
            testId="providers-form-price-completion"
          />
        </div>
        <p className="help">{t('providers.priceHelp')}</p>
        <div className="form inline">
          <NumberField
            label={t('providers.costPrompt')}
            value={fields.costPrompt}
            onChange={set('costPrompt')}
            unit={perMillion}
            testId="providers-form-cost-prompt"
          />
          <NumberField
            label={t('providers.costCompletion')}
            value={fields.costCompletion}
            onChange={set('costCompletion')}
            unit={perMillion}
            testId="providers-form-cost-completion"
          />
          <NumberField
            label={t('providers.maxConcurrent')}
            value={fields.maxConcurrent}
            onChange={set('maxConcurrent')}
            help={t('providers.maxConcurrentHelp')}
            testId="providers-form-max-concurrent"
          />
        </div>
        <p className="help">{t('providers.costHelp')}</p>
        <SubmitRow
          action={action}
          testId="providers-form"
          label={editing ? t('providers.saveSubmit') : t('providers.addSubmit')}
          doneText={editing ? t('providers.savedDone') : t('providers.addedDone')}
        >
          {editing && (
            <button type="button" onClick={props.onCancel} data-testid="providers-form-cancel">
              {t('providers.cancel')}
            </button>
          )}
        </SubmitRow>
      </form>
    </Card>
  );
}
