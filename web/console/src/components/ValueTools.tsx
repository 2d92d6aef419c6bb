import { useEffect, useState } from 'preact/hooks';
import { get, post, put } from '../api';
import { dateTime } from '../format';
import { useI18n } from '../i18n/index';
import type { OrderImportReport, Segments } from '../types';
import { ProblemMessage } from './ProblemMessage';

const PREVIEW_COLUMNS = ['order_id', 'email', 'phone', 'external_id', 'name', 'amount', 'currency', 'ordered_at'];

/** Supervisors' customer-value tools under the contacts directory: the orders CSV import and the segments. */
export function ValueTools() {
  const { t } = useI18n();
  return (
    <div class="settings value-tools" data-testid="value-tools">
      <header class="settings-head">
        <h2>{t('value.tools')}</h2>
      </header>
      <OrdersImport />
      <SegmentsCard />
    </div>
  );
}

/** Choose a file → the hub checks it (dry run) → preview of the first rows and every bad row → confirm. */
function OrdersImport() {
  const { t } = useI18n();
  const [csv, setCsv] = useState<string | null>(null);
  const [check, setCheck] = useState<OrderImportReport | null>(null);
  const [done, setDone] = useState<OrderImportReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const run = async (dryRun: boolean) => {
    if (csv === null) return;
    setBusy(true);
    setError(null);
    try {
      const r = await post<OrderImportReport>('/api/v1/orders/import', { csv, dryRun });
      if (dryRun) setCheck(r);
      else {
        setDone(r);
        setCheck(null);
        setCsv(null);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const reset = () => {
    setCsv(null);
    setCheck(null);
    setError(null);
  };
  const columns = check ? PREVIEW_COLUMNS.filter((c) => check.preview.some((p) => c in p.values)) : [];
  const toImport = check ? check.valid - check.duplicates : 0;

  return (
    <section class="card orders-import" aria-labelledby="orders-import-title" data-testid="orders-import">
      <h3 id="orders-import-title">{t('value.import.title')}</h3>
      <p class="muted small">{t('value.import.help')}</p>
      <label>
        {t('value.import.file')}{' '}
        <input
          type="file"
          accept=".csv,text/csv"
          data-testid="orders-file"
          onChange={async (e) => {
            const file = e.currentTarget.files?.[0];
            setDone(null);
            setCheck(null);
            setCsv(file ? await file.text() : null);
          }}
        />
      </label>
      <div class="row-actions">
        <button type="button" class="btn" disabled={csv === null || busy} onClick={() => void run(true)} data-action="orders-check">
          {t('value.import.check')}
        </button>
      </div>
      <ProblemMessage error={error} />
      {done && (
        <div class="notice info" role="status" data-testid="orders-import-done">
          {t('value.import.done', { imported: done.imported, duplicates: done.duplicates, invalid: done.invalid })}
        </div>
      )}
      {check && (
        <div data-testid="orders-preview">
          <p role="status" data-testid="orders-check-summary">
            {t('value.import.summary', { rows: check.rows, valid: check.valid, invalid: check.invalid, duplicates: check.duplicates })}
          </p>
          <h4>{t('value.import.preview')}</h4>
          <table class="canned-table" data-testid="orders-preview-table">
            <thead>
              <tr>
                <th>{t('value.import.row')}</th>
                {columns.map((c) => (
                  <th key={c}>{c}</th>
                ))}
                <th>{t('value.import.problem')}</th>
              </tr>
            </thead>
            <tbody>
              {check.preview.map((p) => (
                <tr key={p.row} data-row={p.row} class={p.errors.length ? 'row-error' : ''}>
                  <td>{p.row}</td>
                  {columns.map((c) => (
                    <td key={c} class={p.errors.some((e) => e.field === fieldOf(c)) ? 'cell-error' : ''}>
                      {p.values[c]}
                    </td>
                  ))}
                  <td class="small">{p.errors.length ? p.errors.map((e) => `${e.field}: ${e.message}`).join('; ') : t('value.import.ok')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {check.errors.length > 0 && (
            <>
              <h4>{t('value.import.errors')}</h4>
              <table class="canned-table" data-testid="orders-errors">
                <thead>
                  <tr>
                    <th>{t('value.import.row')}</th>
                    <th>{t('value.import.field')}</th>
                    <th>{t('value.import.problem')}</th>
                  </tr>
                </thead>
                <tbody>
                  {check.errors.map((e) => (
                    <tr key={`${e.row}:${e.field}`} data-row={e.row} data-field={e.field} data-code={e.code}>
                      <td>{e.row}</td>
                      <td>{e.field}</td>
                      <td class="small">{e.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          <div class="row-actions">
            <button type="button" class="btn primary" disabled={busy || toImport <= 0} onClick={() => void run(false)} data-action="orders-confirm">
              {t('value.import.confirm', { count: toImport })}
            </button>
            <button type="button" class="btn" onClick={reset} data-action="orders-cancel">
              {t('value.import.cancel')}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}

/** CSV column → the field name the hub reports errors under. */
const fieldOf = (column: string): string => ({ order_id: 'orderId', external_id: 'externalId', ordered_at: 'orderedAt' })[column] ?? column;

function SegmentsCard() {
  const { t, lang } = useI18n();
  const [seg, setSeg] = useState<Segments | null>(null);
  const [k, setK] = useState(4);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    get<Segments>('/api/v1/value/segments').then(
      (r) => {
        setSeg(r);
        setK(r.k);
      },
      (err) => setError(err),
    );
  }, []);

  return (
    <section class="card segments" aria-labelledby="segments-title" data-testid="segments">
      <h3 id="segments-title">{t('value.segments.title')}</h3>
      <div class="row-actions">
        <label>
          {t('value.segments.k')}{' '}
          <input type="number" min={2} max={12} value={k} data-testid="segments-k" onInput={(e) => setK(Number(e.currentTarget.value))} />
        </label>
        <button
          type="button"
          class="btn"
          disabled={busy}
          data-action="segments-compute"
          onClick={async () => {
            setBusy(true);
            setError(null);
            try {
              setSeg(await put<Segments>('/api/v1/value/segments', { k }));
            } catch (err) {
              setError(err);
            } finally {
              setBusy(false);
            }
          }}
        >
          {t('value.segments.compute')}
        </button>
      </div>
      <ProblemMessage error={error} />
      {seg && seg.segments.length === 0 && <p class="muted small">{t('value.segments.none')}</p>}
      {seg && seg.segments.length > 0 && (
        <>
          <p class="muted small">{t('value.segments.computedAt', { customers: seg.customers, date: dateTime(seg.computedAt, lang) })}</p>
          <table class="canned-table" data-testid="segments-table">
            <thead>
              <tr>
                <th>{t('value.segments.segment')}</th>
                <th>{t('value.segments.size')}</th>
                <th>{t('value.segments.centroid')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {seg.segments.map((s) => (
                <tr key={s.id} data-segment={s.id}>
                  <td>{s.id + 1}</td>
                  <td data-cell="size">{s.size}</td>
                  <td>
                    {s.centroid.r.toFixed(1)} / {s.centroid.f.toFixed(1)} / {s.centroid.m.toFixed(1)}
                  </td>
                  <td>
                    <a href={`/api/v1/value/segments/${s.id}/members.csv`} download={`segment-${s.id + 1}.csv`}>
                      {t('value.segments.export')}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
