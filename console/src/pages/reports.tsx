/** Reports: impressions, clicks, spend and eCPM over time per campaign, ad unit or account, with CSV. */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, must, type Schemas } from '../api/client';
import { dateTime, num, today } from '../format';
import { useI18n } from '../i18n';
import { EnumSelect, Field, Loaded, Message, Table, useAction, useLoad, useMoney, useSession, Input } from '../ui';

type Dimension = 'campaign' | 'adUnit' | 'account';
type Report = Schemas['Report'];

/** What the caller can report on: an advertiser's campaigns, an owner's accounts and their ad units. */
async function reportables(role: string): Promise<{ dimension: Dimension; id: string; name: string }[]> {
  if (role === 'advertiser') {
    const page = await must(api.GET('/v1/campaigns'));
    return page.items.map((c) => ({ dimension: 'campaign' as const, id: c.id, name: c.name }));
  }
  const accounts = (await must(api.GET('/v1/accounts'))).items;
  const units = await Promise.all(accounts.map((a) => must(api.GET('/v1/accounts/{id}/ad-units', { params: { path: { id: a.id } } }))));
  return [
    ...accounts.map((a) => ({ dimension: 'account' as const, id: a.id, name: a.name })),
    ...units.flatMap((page, i) => page.items.map((u) => ({ dimension: 'adUnit' as const, id: u.id, name: `${accounts[i]!.name} · ${u.id}` }))),
  ];
}

function Chart({ report }: { report: Report }) {
  const { t } = useI18n();
  const fmt = useMoney();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const rows = report.rows;
    const plot = new uPlot(
      {
        width: Math.max(320, Math.min(el.clientWidth || 800, 960)),
        height: 300,
        scales: { n: {}, m: {} },
        axes: [
          {},
          { scale: 'n', label: `${t('impressions')} / ${t('clicks')}` },
          { scale: 'm', side: 1, label: `${t('spend')} / ${t('ecpm')}`, values: (_u, ticks) => ticks.map((v) => fmt(v * 1_000_000)), grid: { show: false } },
        ],
        series: [
          {},
          { label: t('impressions'), scale: 'n', stroke: '#1d4ed8', width: 2 },
          { label: t('clicks'), scale: 'n', stroke: '#b45309', width: 2 },
          { label: t('spend'), scale: 'm', stroke: '#047857', width: 2, value: (_u, v) => (v === null ? '—' : fmt(v * 1_000_000)) },
          { label: t('ecpm'), scale: 'm', stroke: '#7c3aed', width: 2, dash: [6, 4], value: (_u, v) => (v === null ? '—' : fmt(v * 1_000_000)) },
        ],
      },
      [
        rows.map((r) => Date.parse(r.period) / 1000),
        rows.map((r) => r.impressions),
        rows.map((r) => r.clicks),
        rows.map((r) => r.spendMicros / 1_000_000),
        rows.map((r) => r.ecpmMicros / 1_000_000),
      ],
      el,
    );
    return () => plot.destroy();
  }, [report, t, fmt]);
  return <div ref={box} className="chart" role="img" aria-label={t('chartLabel')} />;
}

export function Reports() {
  const { t, lang } = useI18n();
  const fmt = useMoney();
  const { session } = useSession();
  const options = useLoad(useCallback(() => reportables(session.tenant.role), [session.tenant.role]));
  const [choice, setChoice] = useState('');
  const [form, setForm] = useState({ from: today(-6), to: today(), granularity: 'day' as 'day' | 'hour' });
  const [report, setReport] = useState<Report>();
  const action = useAction();
  const query = () => {
    const [dimension, id] = choice.split('|') as [Dimension, string];
    return {
      dimension,
      id,
      from: new Date(`${form.from}T00:00:00`).toISOString(),
      to: new Date(`${form.to}T23:59:59.999`).toISOString(),
      granularity: form.granularity,
    };
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      setReport((await must(api.GET('/v1/reports', { params: { query: { ...query(), format: 'json' } } }))) as Report);
    });
  };
  const download = () =>
    void action.run(async () => {
      const res = await api.GET('/v1/reports', { params: { query: { ...query(), format: 'csv' } }, parseAs: 'blob' });
      if (!res.response.ok || !res.data) throw new Error(res.response.statusText);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(res.data as Blob);
      link.download = `placard-${query().dimension}-${query().id}.csv`;
      link.click();
      URL.revokeObjectURL(link.href);
    });
  return (
    <section>
      <h1>{t('reportsTitle')}</h1>
      <Loaded state={options}>
        {(items) => (
          <form onSubmit={submit} className="filters">
            <Field label={t('dimension')}>
              {(id) => (
                <select id={id} required value={choice} onChange={(e) => setChoice(e.target.value)}>
                  <option value="">—</option>
                  {items.map((o) => (
                    <option key={o.id} value={`${o.dimension}|${o.id}`}>
                      {`${t(`dim_${o.dimension}`)}: ${o.name}`}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Input label={t('from')} type="date" required value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
            <Input label={t('to')} type="date" required value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
            <EnumSelect
              label={t('granularity')}
              values={['day', 'hour'] as const}
              prefix="gran_"
              value={form.granularity}
              onChange={(granularity) => setForm({ ...form, granularity })}
            />
            <button type="submit" disabled={action.busy || !choice}>
              {t('show')}
            </button>
            <button type="button" onClick={download} disabled={action.busy || !choice}>
              {t('downloadCsv')}
            </button>
          </form>
        )}
      </Loaded>
      <Message message={action.message} />
      {report && (
        <>
          <Chart report={report} />
          <Table
            caption={t('reportsTitle')}
            rows={[...report.rows, { ...report.totals, period: '' }]}
            rowKey={(r) => r.period || 'total'}
            columns={[
              [t('period'), (r) => (r.period ? dateTime(r.period, lang) : t('total'))],
              [t('impressions'), (r) => num(r.impressions, lang)],
              [t('clicks'), (r) => num(r.clicks, lang)],
              [t('ctr'), (r) => new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 2 }).format(r.ctr)],
              [t('spend'), (r) => fmt(r.spendMicros)],
              [t('ecpm'), (r) => fmt(r.ecpmMicros)],
            ]}
          />
        </>
      )}
    </section>
  );
}
