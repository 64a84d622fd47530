/** Account owners: their accounts with the audience editor, verification, slots calendar and ad units. */
import { useCallback, useState, type FormEvent } from 'react';
import { api, must, type Schemas } from '../api/client';
import { AGE_BANDS, CATEGORIES, FORMATS, GENDERS, INTERESTS, PLACEMENTS, PLATFORMS, POSITIONS, REGIONS } from '../enums';
import { dateTime, day, parseMoney, today } from '../format';
import { label, useI18n, type MessageKey } from '../i18n';
import { EnumSelect, Field, Input, Link, Loaded, Message, Money, ShareBars, Table, useAction, useLoad, useMoney } from '../ui';

type Shares = Record<string, number>;
type AudienceDraft = { followers: string; averageReads: string; gender: Shares; ageBand: Shares; region: Shares; interests: Shares };

const DIMENSIONS = [
  { key: 'gender', title: 'dimGender', prefix: 'g_', values: GENDERS, sums: true },
  { key: 'ageBand', title: 'dimAgeBand', prefix: 'a_', values: AGE_BANDS, sums: true },
  { key: 'region', title: 'dimRegion', prefix: 'r_', values: REGIONS, sums: true },
  { key: 'interests', title: 'dimInterests', prefix: 'i_', values: INTERESTS, sums: false },
] as const;

/** Percent entries (0–100, as typed) of a distribution add up to 100 (to a hundredth). */
function sumOf(shares: Shares): number {
  return Math.round(Object.values(shares).reduce((a, b) => a + b, 0) * 100) / 100;
}

function toPercents(shares: Record<string, number>): Shares {
  return Object.fromEntries(Object.entries(shares).map(([k, v]) => [k, Math.round(v * 10000) / 100]));
}

function toShares(percents: Shares): Shares {
  return Object.fromEntries(
    Object.entries(percents)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => [k, v / 100]),
  );
}

function draftOf(audience?: Schemas['AudienceProfile']): AudienceDraft {
  return {
    followers: String(audience?.followers ?? ''),
    averageReads: String(audience?.averageReads ?? ''),
    gender: toPercents(audience?.gender ?? {}),
    ageBand: toPercents(audience?.ageBand ?? {}),
    region: toPercents(audience?.region ?? {}),
    interests: toPercents(audience?.interests ?? {}),
  };
}

export function audienceValid(draft: AudienceDraft): boolean {
  return DIMENSIONS.every((d) => (d.sums ? sumOf(draft[d.key]) === 100 : Object.values(draft[d.key]).every((v) => v >= 0 && v <= 100)));
}

function audienceBody(draft: AudienceDraft) {
  return {
    followers: Number(draft.followers),
    averageReads: Number(draft.averageReads),
    gender: toShares(draft.gender),
    ageBand: toShares(draft.ageBand),
    region: toShares(draft.region),
    interests: toShares(draft.interests),
  };
}

/** The audience editor: each distribution as rows of value + percent, with its sum checked. */
function AudienceEditor({ draft, onChange }: { draft: AudienceDraft; onChange: (d: AudienceDraft) => void }) {
  const { t } = useI18n();
  return (
    <fieldset>
      <legend>{t('audience')}</legend>
      <p>{t('audienceHelp')}</p>
      <Input
        label={t('followers')}
        type="number"
        min={0}
        required
        value={draft.followers}
        onChange={(e) => onChange({ ...draft, followers: e.target.value })}
      />
      <Input
        label={t('averageReads')}
        type="number"
        min={0}
        required
        value={draft.averageReads}
        onChange={(e) => onChange({ ...draft, averageReads: e.target.value })}
      />
      {DIMENSIONS.map((dim) => {
        const shares = draft[dim.key];
        const sum = sumOf(shares);
        const unused = dim.values.filter((v) => !(v in shares));
        const set = (next: Shares) => onChange({ ...draft, [dim.key]: next });
        return (
          <fieldset key={dim.key} className="distribution">
            <legend>{t(dim.title)}</legend>
            {Object.entries(shares).map(([value, pct]) => (
              <div className="row" key={value}>
                <Input
                  label={`${label(t, dim.prefix, value)} ${t('share')}`}
                  type="number"
                  min={0}
                  max={100}
                  step="0.01"
                  value={pct}
                  onChange={(e) => set({ ...shares, [value]: Number(e.target.value) })}
                />
                <button type="button" onClick={() => set(Object.fromEntries(Object.entries(shares).filter(([k]) => k !== value)))}>
                  {`${t('remove')} ${label(t, dim.prefix, value)}`}
                </button>
              </div>
            ))}
            {unused.length > 0 && (
              <Field label={`${t('addRow')} (${t(dim.title)})`}>
                {(id) => (
                  <select id={id} value="" onChange={(e) => e.target.value && set({ ...shares, [e.target.value]: 0 })}>
                    <option value="">—</option>
                    {unused.map((v) => (
                      <option key={v} value={v}>
                        {label(t, dim.prefix, v)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            )}
            <p className={dim.sums && sum !== 100 ? 'problem' : ''} aria-live="polite">
              {t('sumIs', { sum })}
              {dim.sums && sum !== 100 ? ` — ${t('mustSum100')}` : ''}
            </p>
          </fieldset>
        );
      })}
    </fieldset>
  );
}

function VerificationBadge({ account }: { account: Schemas['Account'] }) {
  const { t } = useI18n();
  return <span className={`badge ver-${account.verification.status}`}>{label(t, 'ver_', account.verification.status)}</span>;
}

export function OwnerAccounts() {
  const { t } = useI18n();
  const list = useLoad(useCallback(() => must(api.GET('/v1/accounts')), []));
  const [form, setForm] = useState({
    platform: 'wechat' as Schemas['AccountInput']['platform'],
    handle: '',
    name: '',
    category: 'food' as Schemas['AccountInput']['category'],
    description: '',
  });
  const [audience, setAudience] = useState<AudienceDraft>(draftOf());
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const made = await must(api.POST('/v1/accounts', { body: { ...form, audience: audienceBody(audience) } }));
      list.reload();
      return `${t('saved')}: ${made.name}`;
    });
  };
  return (
    <section>
      <h1>{t('accountsTitle')}</h1>
      <Loaded state={list}>
        {(page) => (
          <Table
            caption={t('accountsTitle')}
            rows={page.items}
            rowKey={(a) => a.id}
            columns={[
              [t('name'), (a) => <Link to={`accounts/${a.id}`}>{a.name}</Link>],
              [t('platform'), (a) => label(t, 'plat_', a.platform)],
              [t('category'), (a) => label(t, 'cat_', a.category)],
              [t('followers'), (a) => a.audience.followers],
              [t('verification'), (a) => <VerificationBadge account={a} />],
            ]}
          />
        )}
      </Loaded>
      <h2>{t('newAccount')}</h2>
      <form onSubmit={submit}>
        <EnumSelect label={t('platform')} values={PLATFORMS} prefix="plat_" value={form.platform} onChange={(platform) => setForm({ ...form, platform })} />
        <Input label={t('handle')} required value={form.handle} onChange={(e) => setForm({ ...form, handle: e.target.value })} />
        <Input label={t('name')} required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        <EnumSelect label={t('category')} values={CATEGORIES} prefix="cat_" value={form.category} onChange={(category) => setForm({ ...form, category })} />
        <Input label={t('description')} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
        <AudienceEditor draft={audience} onChange={setAudience} />
        <button type="submit" disabled={action.busy || !audienceValid(audience)}>
          {t('newAccount')}
        </button>
      </form>
      <Message message={action.message} />
    </section>
  );
}

export function OwnerAccount({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const account = useLoad(useCallback(() => must(api.GET('/v1/accounts/{id}', { params: { path: { id } } })), [id]));
  const [audience, setAudience] = useState<AudienceDraft>();
  const action = useAction();
  return (
    <Loaded state={account}>
      {(a) => {
        const draft = audience ?? draftOf(a.audience);
        const save = (event: FormEvent) => {
          event.preventDefault();
          void action.run(async () => {
            await must(api.PATCH('/v1/accounts/{id}', { params: { path: { id } }, body: { audience: audienceBody(draft) } }));
            setAudience(undefined);
            account.reload();
            return t('saved');
          });
        };
        return (
          <section>
            <h1>{a.name}</h1>
            <p>
              {label(t, 'plat_', a.platform)} · {a.handle} · {label(t, 'cat_', a.category)}
            </p>
            <h2>{t('verification')}</h2>
            <p>
              <VerificationBadge account={a} /> {label(t, 'src_', a.audience.source)}
              {a.verification.decidedAt ? ` · ${dateTime(a.verification.decidedAt, lang)}` : ''}
              {a.verification.reason ? ` · ${t('reason')}: ${a.verification.reason}` : ''}
            </p>
            <p className="help">{t('verifiedMeans')}</p>
            <div className="charts">
              <ShareBars title={t('dimGender')} shares={a.audience.gender} prefix="g_" />
              <ShareBars title={t('dimAgeBand')} shares={a.audience.ageBand} prefix="a_" />
              <ShareBars title={t('dimRegion')} shares={a.audience.region} prefix="r_" />
            </div>
            <details>
              <summary>{t('audience')}</summary>
              <form onSubmit={save}>
                <AudienceEditor draft={draft} onChange={setAudience} />
                <button type="submit" disabled={action.busy || !audienceValid(draft)}>
                  {t('save')}
                </button>
              </form>
              <Message message={action.message} />
            </details>
            <SlotsCalendar accountId={id} />
            <AdUnits accountId={id} />
          </section>
        );
      }}
    </Loaded>
  );
}

/** Days of the week as numbers, Sunday first (as getUTCDay and the API's weekday rules count them). */
const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6];

function monthDays(month: string): string[] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const count = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return Array.from({ length: count }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
}

function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** A month of the account's slots as a calendar, and the form that adds one or a weekday rule. */
function SlotsCalendar({ accountId }: { accountId: string }) {
  const { t, lang } = useI18n();
  const fmt = useMoney();
  const [month, setMonth] = useState(today().slice(0, 7));
  const days = monthDays(month);
  const [from, to] = [days[0], days[days.length - 1]];
  const slots = useLoad(
    useCallback(
      () => must(api.GET('/v1/accounts/{id}/slots', { params: { path: { id: accountId }, query: { from, to, limit: 100 } } })),
      [accountId, from, to],
    ),
  );
  const [mode, setMode] = useState<'one' | 'rule'>('one');
  const [form, setForm] = useState({
    publishDate: today(1),
    from: today(1),
    to: today(28),
    weekdays: [1, 3, 5],
    position: 'headline' as Schemas['SlotCreate']['position'],
    format: 'custom_article' as Schemas['SlotCreate']['format'],
    price: '',
    committedReads: '',
  });
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const priceMicros = parseMoney(form.price);
      if (priceMicros === null) throw new Error(`${t('price')}?`);
      const when = mode === 'one' ? { publishDate: form.publishDate } : { from: form.from, to: form.to, weekdays: form.weekdays };
      const reads = form.format === 'ad_card' && form.committedReads ? { committedReads: Number(form.committedReads) } : {};
      const made = await must(
        api.POST('/v1/accounts/{id}/slots', {
          params: { path: { id: accountId } },
          body: { ...when, position: form.position, format: form.format, priceMicros, ...reads },
        }),
      );
      // Show the month of the first new slot (a rule may start next month).
      if (made.items[0]) setMonth(made.items[0].publishDate.slice(0, 7));
      slots.reload();
      return t('slotsCreated', { n: made.items.length });
    });
  };
  const firstWeekday = new Date(`${days[0]}T00:00:00Z`).getUTCDay();
  return (
    <section>
      <h2>{t('slotsCalendar')}</h2>
      <div className="month-nav">
        <button type="button" onClick={() => setMonth(shiftMonth(month, -1))}>
          {t('prevMonth')}
        </button>
        <strong>{new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(`${month}-01T00:00:00Z`))}</strong>
        <button type="button" onClick={() => setMonth(shiftMonth(month, 1))}>
          {t('nextMonth')}
        </button>
      </div>
      <Loaded state={slots}>
        {(page) => (
          <ol className="calendar" aria-label={t('slotsCalendar')}>
            {WEEKDAYS.map((w) => (
              <li key={`h${w}`} className="weekday" aria-hidden="true">
                {t(`wd_${w}` as MessageKey)}
              </li>
            ))}
            {WEEKDAYS.slice(0, firstWeekday).map((w) => (
              <li key={`pad${w}`} className="pad" aria-hidden="true" />
            ))}
            {days.map((d) => (
              <li key={d}>
                <span className="daynum">{day(d, lang)}</span>
                <ul>
                  {page.items
                    .filter((s) => s.publishDate === d)
                    .map((s) => (
                      <li key={s.id} className={`slot slot-${s.status}`}>
                        {label(t, 'pos_', s.position)} · {fmt(s.priceMicros)} · {label(t, 'slot_', s.status)}
                      </li>
                    ))}
                </ul>
              </li>
            ))}
          </ol>
        )}
      </Loaded>
      <h3>{t('newSlots')}</h3>
      <form onSubmit={submit}>
        <fieldset>
          <legend>{t('date')}</legend>
          <label className="inline">
            <input type="radio" name="mode" checked={mode === 'one'} onChange={() => setMode('one')} />
            {t('oneDate')}
          </label>
          <label className="inline">
            <input type="radio" name="mode" checked={mode === 'rule'} onChange={() => setMode('rule')} />
            {t('weekdayRule')}
          </label>
        </fieldset>
        {mode === 'one' ? (
          <Input label={t('publishDate')} type="date" required value={form.publishDate} onChange={(e) => setForm({ ...form, publishDate: e.target.value })} />
        ) : (
          <>
            <Input label={t('from')} type="date" required value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
            <Input label={t('to')} type="date" required value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
            <fieldset>
              <legend>{t('weekdays')}</legend>
              {WEEKDAYS.map((w) => (
                <label key={w} className="inline">
                  <input
                    type="checkbox"
                    checked={form.weekdays.includes(w)}
                    onChange={(e) => setForm({ ...form, weekdays: e.target.checked ? [...form.weekdays, w] : form.weekdays.filter((x) => x !== w) })}
                  />
                  {t(`wd_${w}` as MessageKey)}
                </label>
              ))}
            </fieldset>
          </>
        )}
        <EnumSelect label={t('position')} values={POSITIONS} prefix="pos_" value={form.position} onChange={(position) => setForm({ ...form, position })} />
        <EnumSelect label={t('format')} values={FORMATS} prefix="fmt_" value={form.format} onChange={(format) => setForm({ ...form, format })} />
        {form.format === 'ad_card' && (
          <Input
            label={t('committedReads')}
            type="number"
            min={1}
            value={form.committedReads}
            onChange={(e) => setForm({ ...form, committedReads: e.target.value })}
          />
        )}
        <Input label={t('price')} inputMode="decimal" required value={form.price} onChange={(e) => setForm({ ...form, price: e.target.value })} />
        <button type="submit" disabled={action.busy}>
          {t('newSlots')}
        </button>
      </form>
      <Message message={action.message} />
    </section>
  );
}

function snippet(unit: Schemas['AdUnit']): string {
  return `<div data-placard-unit="${unit.id}"></div>
<script>
fetch('${location.origin}/v1/decisions', { method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ adUnitId: '${unit.id}', viewer: { id: localStorage.placardViewer ??= crypto.randomUUID() } }) })
  .then((r) => r.json()).then(({ ad }) => {
    if (!ad) return;
    const el = document.querySelector('[data-placard-unit="${unit.id}"]');
    el.innerHTML = '<a rel="sponsored" href="' + ad.clickUrl + '"><img alt="" src="' + ad.creative.imageUrl + '"><b></b><p></p></a><img alt="" width="1" height="1" src="' + ad.impressionUrl + '">';
    el.querySelector('b').textContent = ad.creative.title; el.querySelector('p').textContent = ad.creative.body;
  });
</script>`;
}

function AdUnits({ accountId }: { accountId: string }) {
  const { t } = useI18n();
  const units = useLoad(useCallback(() => must(api.GET('/v1/accounts/{id}/ad-units', { params: { path: { id: accountId } } })), [accountId]));
  const [form, setForm] = useState({ placement: 'article_bottom' as Schemas['AdUnitInput']['placement'], floor: '10' });
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const floorCpmMicros = parseMoney(form.floor);
      if (floorCpmMicros === null) throw new Error(`${t('floorCpm')}?`);
      await must(
        api.POST('/v1/accounts/{id}/ad-units', {
          params: { path: { id: accountId } },
          body: { placement: form.placement, floorCpmMicros, blockedCategories: [], allowedOrigins: [], width: 300, height: 250, enabled: true },
        }),
      );
      units.reload();
      return t('saved');
    });
  };
  return (
    <section>
      <h2>{t('adUnits')}</h2>
      <Loaded state={units}>
        {(page) =>
          page.items.length === 0 ? (
            <p>{t('none')}</p>
          ) : (
            page.items.map((u) => (
              <article key={u.id} className="card">
                <h3>
                  {label(t, 'place_', u.placement)} · <code>{u.id}</code>
                </h3>
                <p>
                  {t('floorCpm')}: <Money micros={u.floorCpmMicros} /> · {t('enabled')}: {u.enabled ? '✓' : '✗'}
                </p>
                <Field label={t('codeToPaste')}>{(id) => <textarea id={id} readOnly rows={9} value={snippet(u)} />}</Field>
              </article>
            ))
          )
        }
      </Loaded>
      <h3>{t('newAdUnit')}</h3>
      <form onSubmit={submit}>
        <EnumSelect
          label={t('placement')}
          values={PLACEMENTS}
          prefix="place_"
          value={form.placement}
          onChange={(placement) => setForm({ ...form, placement })}
        />
        <Input label={t('floorCpm')} inputMode="decimal" required value={form.floor} onChange={(e) => setForm({ ...form, floor: e.target.value })} />
        <button type="submit" disabled={action.busy}>
          {t('newAdUnit')}
        </button>
      </form>
      <Message message={action.message} />
    </section>
  );
}
