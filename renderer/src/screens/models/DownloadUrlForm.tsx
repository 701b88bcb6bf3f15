import { useState, type FormEvent, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { SubmitRow } from '../../components/SubmitRow';
import { Card } from '../../components/Card';
import { TextField } from '../../components/Fields';
import { useAction } from '../../hooks/useAction';
import { downloadModel } from '../../stores/actions';

/** Downloads a GGUF file from any URL, checked against a SHA-256 when one is given. */
export function DownloadUrlForm(): JSX.Element {
  const { t } = useTranslation();
  const action = useAction();
  const [url, setUrl] = useState('');
  const [sha256, setSha256] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      await downloadModel({
        url: url.trim(),
        ...(sha256.trim() ? { sha256: sha256.trim() } : {}),
      });
      setUrl('');
      setSha256('');
    });
  };
  return (
    <Card title={t('models.fromUrl')} testId="download-url">
      <form className="form" onSubmit={submit}>
        <TextField
          label={t('models.url')}
          type="url"
          value={url}
          onChange={setUrl}
          placeholder={t('models.urlPlaceholder')}
          required
          testId="download-url-input"
        />
        <TextField
          label={t('models.sha256')}
          value={sha256}
          onChange={setSha256}
          help={t('models.sha256Help')}
        />
        <SubmitRow
          action={action}
          testId="download-url"
          label={t('models.download')}
          doneText={t('models.started')}
          disabled={!url.trim()}
        />
      </form>
    </Card>
  );
}
