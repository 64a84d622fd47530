/** Advertisers: campaigns with the targeting builder, budget, schedule, frequency cap, creatives and activation. */
import { useCallback, useState, type FormEvent } from 'react';
import { api, idempotencyKey, must, type Schemas } from '../api/client';
import { CATEGORIES, TARGET_ATTRIBUTES } from '../enums';
import { dateTime, parseMoney, today } from '../format';
import { label, useI18n, type MessageKey, type T } from '../i18n';
import { en } from '../messages';
import { EnumSelect, Input, Link, Loaded, Message, Money, Table, navigate, useAction, useLoad } from '../ui';

type Campaign = Schemas['Campaign'] & { spentMicros?: number; remainingMicros?: number };
type Predicate = Schemas['CampaignInput']['targeting'][number][number];

const VALUE_PREFIX: Partial<Record<Predicate['attribute'], string>> = { region: 'r_', gender: 'g_', ageBand: 'a_', interest: 'i_', accountCategory: 'cat_' };

/** A targeting value in the viewer's language when it is one the console knows (ids stay as they are). */
function valueText(t: T, attribute: Predicate['attribute'], value: string): string {
  const key = `${VALUE_PREFIX[attribute] ?? '-'}${value}`;
  return key in en ? t(key as MessageKey) : value;
}

export function Campaigns() {
  const { t } = useI18n();
  const list = useLoad(useCallback(() => must(api.GET('/v1/campaigns')), []));
  return (
    <section>
      <h1>{t('campaignsTitle')}</h1>
      <p>
        <Link to="campaigns/new" className="button">
          {t('newCampaign')}
        </Link>
      </p>
      <Loaded state={list}>
        {(page) => (
          <Table
            caption={t('campaignsTitle')}
            rows={page.items as Campaign[]}
            rowKey={(c) => c.id}
            columns={[
              [t('name'), (c) => <Link to={`campaigns/${c.id}`}>{c.name}</Link>],
              [t('status'), (c) => label(t, 'cmp_', c.status)],
              [t('totalBudget'), (c) => <Money micros={c.budget.totalMicros} />],
              [t('spent'), (c) => (c.spentMicros === undefined ? '—' : <Money micros={c.spentMicros} />)],
              [t('remaining'), (c) => (c.remainingMicros === undefined ? '—' : <Money micros={c.remainingMicros} />)],
            ]}
          />
        )}
      </Loaded>
    </section>
  );
}

/** A condition or group being edited, with a key that stays with it while others are added or removed. */
type Keyed<V> = V & { key: number };
type DraftGroup = Keyed<{ predicates: Keyed<Predicate>[] }>;

let lastKey = 0;
const newPredicate = (): Keyed<Predicate> => ({ key: ++lastKey, attribute: 'region', op: 'in', values: [] });

/** Targeting as groups (OR) of conditions (AND), each an attribute, in / not in, and values. */
function TargetingBuilder({ groups, onChange }: { groups: DraftGroup[]; onChange: (g: DraftGroup[]) => void }) {
  const { t } = useI18n();
  const setPredicates = (group: DraftGroup, predicates: Keyed<Predicate>[]) =>
    onChange(groups.map((g) => (g.key === group.key ? { ...g, predicates } : g)).filter((g) => g.predicates.length > 0));
  const setPredicate = (group: DraftGroup, next: Keyed<Predicate>) =>
    setPredicates(
      group,
      group.predicates.map((p) => (p.key === next.key ? next : p)),
    );
  return (
    <fieldset>
      <legend>{t('targeting')}</legend>
      <p className="help">{t('targetingHelp')}</p>
      {groups.map((group, g) => (
        <fieldset key={group.key} className="group">
          <legend>{t('orGroup', { n: g + 1 })}</legend>
          {group.predicates.map((pred) => (
            <div className="row" key={pred.key}>
              <EnumSelect
                label={t('attribute')}
                values={TARGET_ATTRIBUTES}
                prefix="attr_"
                value={pred.attribute}
                onChange={(attribute) => setPredicate(group, { ...pred, attribute })}
              />
              <EnumSelect
                label={t('op')}
                values={['in', 'not_in'] as const}
                prefix="op_"
                value={pred.op}
                onChange={(op) => setPredicate(group, { ...pred, op })}
              />
              <Input
                label={t('values')}
                required
                value={pred.values.join(', ')}
                onChange={(e) => setPredicate(group, { ...pred, values: e.target.value.split(',').map((v) => v.trim()) })}
              />
              <button
                type="button"
                onClick={() =>
                  setPredicates(
                    group,
                    group.predicates.filter((p) => p.key !== pred.key),
                  )
                }
              >
                {t('remove')}
              </button>
            </div>
          ))}
          <button type="button" onClick={() => setPredicates(group, [...group.predicates, newPredicate()])}>
            {t('addCondition')}
          </button>
        </fieldset>
      ))}
      <button type="button" onClick={() => onChange([...groups, { key: ++lastKey, predicates: [newPredicate()] }])}>
        {t('addGroup')}
      </button>
    </fieldset>
  );
}

export function NewCampaign() {
  const { t } = useI18n();
  const [form, setForm] = useState({
    name: '',
    category: 'food' as Schemas['CampaignInput']['category'],
    model: 'cpc' as 'cpc' | 'cpm',
    bid: '',
    total: '',
    daily: '',
    start: `${today()}T00:00`,
    end: `${today(30)}T00:00`,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    capImpressions: '',
    capHours: '24',
  });
  const [targeting, setTargeting] = useState<DraftGroup[]>([]);
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const bidMicros = parseMoney(form.bid);
      const totalMicros = parseMoney(form.total);
      if (bidMicros === null || totalMicros === null) throw new Error(`${t('bid')} / ${t('totalBudget')}?`);
      const made = await must(
        api.POST('/v1/campaigns', {
          body: {
            name: form.name,
            category: form.category,
            bidding: { model: form.model, bidMicros },
            budget: { totalMicros, dailyMicros: form.daily ? parseMoney(form.daily) : null },
            schedule: { start: new Date(form.start).toISOString(), end: new Date(form.end).toISOString(), timezone: form.timezone },
            targeting: targeting.map((group) => group.predicates.map(({ key, ...p }) => ({ ...p, values: p.values.filter(Boolean) }))),
            frequencyCap: form.capImpressions ? { impressions: Number(form.capImpressions), perHours: Number(form.capHours) } : null,
          },
        }),
      );
      navigate(`campaigns/${made.id}`);
    });
  };
  return (
    <section>
      <h1>{t('newCampaign')}</h1>
      <form onSubmit={submit}>
        <Input label={t('name')} required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        <EnumSelect label={t('category')} values={CATEGORIES} prefix="cat_" value={form.category} onChange={(category) => setForm({ ...form, category })} />
        <fieldset>
          <legend>{t('bidding')}</legend>
          <EnumSelect
            label={t('bidModel')}
            values={['cpc', 'cpm'] as const}
            prefix="bid_"
            value={form.model}
            onChange={(model) => setForm({ ...form, model })}
          />
          <Input label={t('bid')} inputMode="decimal" required value={form.bid} onChange={(e) => setForm({ ...form, bid: e.target.value })} />
        </fieldset>
        <fieldset>
          <legend>{t('budget')}</legend>
          <Input label={t('totalBudget')} inputMode="decimal" required value={form.total} onChange={(e) => setForm({ ...form, total: e.target.value })} />
          <Input label={t('dailyBudget')} inputMode="decimal" value={form.daily} onChange={(e) => setForm({ ...form, daily: e.target.value })} />
        </fieldset>
        <fieldset>
          <legend>{t('schedule')}</legend>
          <Input label={t('start')} type="datetime-local" required value={form.start} onChange={(e) => setForm({ ...form, start: e.target.value })} />
          <Input label={t('end')} type="datetime-local" required value={form.end} onChange={(e) => setForm({ ...form, end: e.target.value })} />
          <Input label={t('timezone')} required value={form.timezone} onChange={(e) => setForm({ ...form, timezone: e.target.value })} />
        </fieldset>
        <fieldset>
          <legend>{t('frequencyCap')}</legend>
          <Input
            label={t('capImpressions')}
            type="number"
            min={1}
            value={form.capImpressions}
            onChange={(e) => setForm({ ...form, capImpressions: e.target.value })}
          />
          <Input label={t('capHours')} type="number" min={1} value={form.capHours} onChange={(e) => setForm({ ...form, capHours: e.target.value })} />
        </fieldset>
        <TargetingBuilder groups={targeting} onChange={setTargeting} />
        <button type="submit" disabled={action.busy}>
          {t('create')}
        </button>
      </form>
      <Message message={action.message} />
    </section>
  );
}

export function CampaignPage({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const campaign = useLoad(useCallback(() => must(api.GET('/v1/campaigns/{id}', { params: { path: { id } } })) as Promise<Campaign>, [id]));
  const creatives = useLoad(useCallback(() => must(api.GET('/v1/campaigns/{id}/creatives', { params: { path: { id } } })), [id]));
  const [creative, setCreative] = useState({ title: '', body: '', imageUrl: '', landingUrl: '', callToAction: '' });
  const [topUp, setTopUp] = useState('');
  const action = useAction();
  const transition = (to: 'activate' | 'pause' | 'archive') =>
    void action.run(async () => {
      await must(api.POST(`/v1/campaigns/{id}/${to}` as '/v1/campaigns/{id}/activate', { params: { path: { id } } }));
      campaign.reload();
      return t('saved');
    });
  const addCreative = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      await must(api.POST('/v1/campaigns/{id}/creatives', { params: { path: { id } }, body: creative }));
      creatives.reload();
      return t('saved');
    });
  };
  const submitTopUp = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const amountMicros = parseMoney(topUp);
      if (amountMicros === null) throw new Error(`${t('amount')}?`);
      await must(
        api.POST('/v1/campaigns/{id}/top-up', { params: { path: { id }, header: { 'idempotency-key': idempotencyKey() } as never }, body: { amountMicros } }),
      );
      campaign.reload();
      return t('saved');
    });
  };
  return (
    <Loaded state={campaign}>
      {(c) => (
        <section>
          <h1>{c.name}</h1>
          <dl className="facts">
            <dt>{t('status')}</dt>
            <dd className={`state cmp-${c.status}`}>{label(t, 'cmp_', c.status)}</dd>
            <dt>{t('bidding')}</dt>
            <dd>
              {label(t, 'bid_', c.bidding.model)} · <Money micros={c.bidding.bidMicros} />
            </dd>
            <dt>{t('totalBudget')}</dt>
            <dd>
              <Money micros={c.budget.totalMicros} />
              {c.budget.dailyMicros ? (
                <>
                  {' '}
                  · {t('dailyBudget')} <Money micros={c.budget.dailyMicros} />
                </>
              ) : null}
            </dd>
            <dt>{t('spent')}</dt>
            <dd>{c.spentMicros === undefined ? '—' : <Money micros={c.spentMicros} />}</dd>
            <dt>{t('remaining')}</dt>
            <dd>{c.remainingMicros === undefined ? '—' : <Money micros={c.remainingMicros} />}</dd>
            <dt>{t('schedule')}</dt>
            <dd>
              {dateTime(c.schedule.start, lang)} – {dateTime(c.schedule.end, lang)} ({c.schedule.timezone})
            </dd>
            <dt>{t('frequencyCap')}</dt>
            <dd>{c.frequencyCap ? `${c.frequencyCap.impressions} / ${c.frequencyCap.perHours} h` : '—'}</dd>
            <dt>{t('targeting')}</dt>
            <dd>
              {c.targeting.length === 0
                ? t('anyOption')
                : c.targeting
                    .map((g) =>
                      g
                        .map(
                          (p) => `${label(t, 'attr_', p.attribute)} ${label(t, 'op_', p.op)} ${p.values.map((v) => valueText(t, p.attribute, v)).join(', ')}`,
                        )
                        .join(' & '),
                    )
                    .join(' | ')}
            </dd>
          </dl>
          <div className="buttons">
            {(c.status === 'draft' || c.status === 'paused') && (
              <button type="button" onClick={() => transition('activate')} disabled={action.busy}>
                {t('activate')}
              </button>
            )}
            {c.status === 'active' && (
              <button type="button" onClick={() => transition('pause')} disabled={action.busy}>
                {t('pause')}
              </button>
            )}
            {c.status !== 'archived' && c.status !== 'ended' && (
              <button type="button" onClick={() => transition('archive')} disabled={action.busy}>
                {t('archive')}
              </button>
            )}
          </div>
          {c.funded && c.status !== 'archived' && c.status !== 'ended' && (
            <form onSubmit={submitTopUp} className="inline-form">
              <Input label={t('topUp')} inputMode="decimal" required value={topUp} onChange={(e) => setTopUp(e.target.value)} />
              <button type="submit" disabled={action.busy}>
                {t('topUp')}
              </button>
            </form>
          )}
          <Message message={action.message} />
          <h2>{t('creatives')}</h2>
          <Loaded state={creatives}>
            {(page) => (
              <Table
                caption={t('creatives')}
                rows={page.items}
                rowKey={(cr) => cr.id}
                columns={[
                  [t('title'), (cr) => cr.title],
                  [t('body'), (cr) => cr.body],
                  [t('callToAction'), (cr) => cr.callToAction],
                  [t('review'), (cr) => `${label(t, 'rev_', cr.review.status)}${cr.review.reason ? ` — ${cr.review.reason}` : ''}`],
                ]}
              />
            )}
          </Loaded>
          <h3>{t('newCreative')}</h3>
          <form onSubmit={addCreative}>
            <Input label={t('title')} required value={creative.title} onChange={(e) => setCreative({ ...creative, title: e.target.value })} />
            <Input label={t('body')} required value={creative.body} onChange={(e) => setCreative({ ...creative, body: e.target.value })} />
            <Input
              label={t('imageUrl')}
              type="url"
              required
              value={creative.imageUrl}
              onChange={(e) => setCreative({ ...creative, imageUrl: e.target.value })}
            />
            <Input
              label={t('landingUrl')}
              type="url"
              required
              value={creative.landingUrl}
              onChange={(e) => setCreative({ ...creative, landingUrl: e.target.value })}
            />
            <Input
              label={t('callToAction')}
              required
              value={creative.callToAction}
              onChange={(e) => setCreative({ ...creative, callToAction: e.target.value })}
            />
            <button type="submit" disabled={action.busy}>
              {t('newCreative')}
            </button>
          </form>
        </section>
      )}
    </Loaded>
  );
}
