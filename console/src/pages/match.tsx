/** Advertisers: "women 25–34 in Shanghai, 20 000 this month" → ranked slots with explanations and a plan, booked in one step. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { api, must, type Schemas } from '../api/client';
import { AGE_BANDS, GENDERS, INTERESTS, REGIONS } from '../enums';
import { day, num, parseMoney, percent, today } from '../format';
import { label, useI18n, type MessageKey, type T } from '../i18n';
import { Message, Money, Table, useAction, useMoney, Input } from '../ui';
import { BriefFields, placeOrder, type Brief } from './marketplace';

type Matched = Schemas['MatchedSlot'];
type Answer = Awaited<ReturnType<typeof match>>;

function match(body: Schemas['MatchQuery']) {
  return must(api.POST('/v1/marketplace/match', { body }));
}

const DIMENSION_LABELS: Record<string, [MessageKey, string]> = {
  gender: ['dimGender', 'g_'],
  ageBand: ['dimAgeBand', 'a_'],
  ageBands: ['dimAgeBand', 'a_'],
  region: ['dimRegion', 'r_'],
  regions: ['dimRegion', 'r_'],
  interest: ['dimInterests', 'i_'],
  interests: ['dimInterests', 'i_'],
};

/** An explanation in the viewer's language, from its parts (the API's `text` is English). */
function explain(t: T, lang: 'en' | 'zh-CN', e: Matched['explanations'][number]): string {
  const [title, prefix] = DIMENSION_LABELS[e.dimension] ?? [undefined, ''];
  const values = e.values.map((v) => (prefix ? label(t, prefix, v) : v)).join(', ');
  return `${title ? t(title) : e.dimension}: ${values} ${percent(e.share, lang)}`;
}

function MultiCheck<V extends string>({
  legend,
  values,
  prefix,
  chosen,
  onChange,
}: {
  legend: string;
  values: readonly V[];
  prefix: string;
  chosen: V[];
  onChange: (v: V[]) => void;
}) {
  const { t } = useI18n();
  return (
    <fieldset className="checks">
      <legend>{legend}</legend>
      {values.map((v) => (
        <label key={v} className="inline">
          <input type="checkbox" checked={chosen.includes(v)} onChange={(e) => onChange(e.target.checked ? [...chosen, v] : chosen.filter((x) => x !== v))} />
          {label(t, prefix, v)}
        </label>
      ))}
    </fieldset>
  );
}

export function MatchPlan() {
  const { t, lang } = useI18n();
  const fmt = useMoney();
  const [gender, setGender] = useState<(typeof GENDERS)[number][]>([]);
  const [ageBands, setAgeBands] = useState<(typeof AGE_BANDS)[number][]>([]);
  const [regions, setRegions] = useState<(typeof REGIONS)[number][]>([]);
  const [interests, setInterests] = useState<(typeof INTERESTS)[number][]>([]);
  const [dates, setDates] = useState({ from: today(), to: today(30) });
  const [budget, setBudget] = useState('');
  const [answer, setAnswer] = useState<Answer>();
  const [brief, setBrief] = useState<Brief>({ title: '', copy: '', landingUrl: '' });
  const search = useAction();
  const book = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void search.run(async () => {
      const budgetMicros = parseMoney(budget);
      setAnswer(
        await match({
          targeting: {
            ...(gender.length ? { gender } : {}),
            ...(ageBands.length ? { ageBands } : {}),
            ...(regions.length ? { regions } : {}),
            ...(interests.length ? { interests } : {}),
          },
          dateFrom: dates.from,
          dateTo: dates.to,
          ...(budgetMicros !== null ? { budgetMicros } : {}),
          limit: 20,
        }),
      );
    });
  };
  const bookPlan = (event: FormEvent) => {
    event.preventDefault();
    void book.run(async () => {
      const slots = answer?.plan?.slots ?? [];
      for (const m of slots) await placeOrder(m.slot.id, brief);
      return t('planBooked', { n: slots.length });
    });
  };
  const columns: [string, (m: Matched) => ReactNode][] = [
    [t('name'), (m) => m.account.name],
    [t('slotId'), (m) => `${day(m.slot.publishDate, lang)} · ${label(t, 'pos_', m.slot.position)}`],
    [t('price'), (m) => <Money micros={m.slot.priceMicros} />],
    [t('matchShare'), (m) => percent(m.matchShare, lang)],
    [t('targetedReach'), (m) => num(m.targetedReach, lang)],
    [t('cptr'), (m) => fmt(m.cptrMicros)],
    [
      t('details'),
      (m) => (
        <ul className="explain">
          {m.explanations.map((e) => (
            <li key={e.dimension}>{explain(t, lang, e)}</li>
          ))}
        </ul>
      ),
    ],
  ];
  const slotId = (m: Matched) => m.slot.id;
  return (
    <section>
      <h1>{t('matchTitle')}</h1>
      <p className="help">{t('matchHelp')}</p>
      <form onSubmit={submit}>
        <MultiCheck legend={t('dimGender')} values={GENDERS} prefix="g_" chosen={gender} onChange={setGender} />
        <MultiCheck legend={t('dimAgeBand')} values={AGE_BANDS} prefix="a_" chosen={ageBands} onChange={setAgeBands} />
        <MultiCheck legend={t('dimRegion')} values={REGIONS} prefix="r_" chosen={regions} onChange={setRegions} />
        <MultiCheck legend={t('dimInterests')} values={INTERESTS} prefix="i_" chosen={interests} onChange={setInterests} />
        <Input label={t('from')} type="date" required value={dates.from} onChange={(e) => setDates({ ...dates, from: e.target.value })} />
        <Input label={t('to')} type="date" required value={dates.to} onChange={(e) => setDates({ ...dates, to: e.target.value })} />
        <Input label={t('budget')} inputMode="decimal" value={budget} onChange={(e) => setBudget(e.target.value)} />
        <button type="submit" disabled={search.busy}>
          {t('findSlots')}
        </button>
      </form>
      <Message message={search.message} />
      {answer && (
        <>
          {answer.plan && (
            <section aria-labelledby="plan-title" className="card">
              <h2 id="plan-title">{t('plan')}</h2>
              <p>
                {t('planTotals', { n: answer.plan.slots.length, cost: fmt(answer.plan.totals.costMicros), reach: num(answer.plan.totals.targetedReach, lang) })}
              </p>
              <Table caption={t('plan')} rows={answer.plan.slots} rowKey={slotId} columns={columns} />
              {answer.plan.slots.length > 0 && (
                <form onSubmit={bookPlan}>
                  <p className="help">{t('escrowNote', { price: fmt(answer.plan.totals.costMicros) })}</p>
                  <BriefFields brief={brief} onChange={setBrief} />
                  <button type="submit" disabled={book.busy}>
                    {t('bookPlan')}
                  </button>
                </form>
              )}
              <Message message={book.message} />
            </section>
          )}
          <h2>{t('results', { n: answer.totalMatches })}</h2>
          <Table caption={t('matchTitle')} rows={answer.results} rowKey={slotId} columns={columns} />
        </>
      )}
    </section>
  );
}
