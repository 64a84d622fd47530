/** Advertisers: marketplace search with filters, an account's page (audience charts, open slots) and booking with escrow. */
import { useCallback, useState, type FormEvent } from 'react';
import { api, idempotencyKey, must, type paths, type Schemas } from '../api/client';
import { CATEGORIES, PLATFORMS, REGIONS, INTERESTS } from '../enums';
import { day, num, parseMoney, today } from '../format';
import { label, useI18n } from '../i18n';
import { EnumSelect, Input, Link, Loaded, Message, Money, ShareBars, Table, navigate, useAction, useLoad, useMoney } from '../ui';

type Query = NonNullable<paths['/v1/marketplace/accounts']['get']['parameters']['query']>;

export function Marketplace() {
  const { t, lang } = useI18n();
  const fmt = useMoney();
  const [filters, setFilters] = useState({
    platform: '' as Schemas['Account']['platform'] | '',
    category: '' as Schemas['Account']['category'] | '',
    region: '' as (typeof REGIONS)[number] | '',
    interest: '' as (typeof INTERESTS)[number] | '',
    minFollowers: '',
    maxPrice: '',
    verifiedOnly: false,
    availableFrom: today(),
    availableTo: today(30),
    sort: 'followers' as 'followers' | 'averageReads' | 'price',
  });
  const [query, setQuery] = useState<Query>({ availableFrom: filters.availableFrom, availableTo: filters.availableTo, sort: 'followers', limit: 20 });
  const results = useLoad(useCallback(() => must(api.GET('/v1/marketplace/accounts', { params: { query } })), [query]));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const maxPriceMicros = parseMoney(filters.maxPrice);
    const next: Query = {
      limit: 20,
      sort: filters.sort,
      ...(filters.platform ? { platform: filters.platform } : {}),
      ...(filters.category ? { category: filters.category } : {}),
      ...(filters.region ? { region: filters.region } : {}),
      ...(filters.interest ? { interest: filters.interest } : {}),
      ...(filters.minFollowers ? { minFollowers: Number(filters.minFollowers) } : {}),
      ...(maxPriceMicros !== null ? { maxPriceMicros } : {}),
      ...(filters.verifiedOnly ? { verifiedOnly: 'true' } : {}),
      ...(filters.availableFrom ? { availableFrom: filters.availableFrom } : {}),
      ...(filters.availableTo ? { availableTo: filters.availableTo } : {}),
    };
    // A new query object each time: pressing Search again asks again (new listings show up).
    setQuery(next);
  };
  return (
    <section>
      <h1>{t('marketplaceTitle')}</h1>
      <search aria-label={t('filters')}>
        <form onSubmit={submit} className="filters">
          <EnumSelect
            label={t('platform')}
            values={PLATFORMS}
            prefix="plat_"
            value={filters.platform}
            onChange={(platform) => setFilters({ ...filters, platform })}
            any
          />
          <EnumSelect
            label={t('category')}
            values={CATEGORIES}
            prefix="cat_"
            value={filters.category}
            onChange={(category) => setFilters({ ...filters, category })}
            any
          />
          <EnumSelect
            label={t('dimRegion')}
            values={REGIONS}
            prefix="r_"
            value={filters.region}
            onChange={(region) => setFilters({ ...filters, region })}
            any
          />
          <EnumSelect
            label={t('dimInterests')}
            values={INTERESTS}
            prefix="i_"
            value={filters.interest}
            onChange={(interest) => setFilters({ ...filters, interest })}
            any
          />
          <Input
            label={t('minFollowers')}
            type="number"
            min={0}
            value={filters.minFollowers}
            onChange={(e) => setFilters({ ...filters, minFollowers: e.target.value })}
          />
          <Input label={t('maxPrice')} inputMode="decimal" value={filters.maxPrice} onChange={(e) => setFilters({ ...filters, maxPrice: e.target.value })} />
          <Input
            label={t('availableFrom')}
            type="date"
            value={filters.availableFrom}
            onChange={(e) => setFilters({ ...filters, availableFrom: e.target.value })}
          />
          <Input label={t('availableTo')} type="date" value={filters.availableTo} onChange={(e) => setFilters({ ...filters, availableTo: e.target.value })} />
          <EnumSelect
            label={t('sort')}
            values={['followers', 'averageReads', 'price'] as const}
            prefix="sort_"
            value={filters.sort}
            onChange={(sort) => setFilters({ ...filters, sort })}
          />
          <label className="inline">
            <input type="checkbox" checked={filters.verifiedOnly} onChange={(e) => setFilters({ ...filters, verifiedOnly: e.target.checked })} />
            {t('verifiedOnly')}
          </label>
          <button type="submit">{t('search')}</button>
        </form>
      </search>
      <Loaded state={results}>
        {(page) => (
          <>
            <p role="status">{t('results', { n: page.total })}</p>
            <Table
              caption={t('marketplaceTitle')}
              rows={page.items}
              rowKey={({ account }) => account.id}
              columns={[
                [t('name'), ({ account }) => <Link to={`marketplace/${account.id}`}>{account.name}</Link>],
                [t('category'), ({ account }) => label(t, 'cat_', account.category)],
                [t('followers'), ({ account }) => num(account.audience.followers, lang)],
                [t('averageReads'), ({ account }) => num(account.audience.averageReads, lang)],
                [t('verification'), ({ account }) => label(t, 'src_', account.audience.source)],
                [
                  t('openSlots'),
                  ({ openSlots }) =>
                    openSlots.count === 0
                      ? t('noOpenSlots')
                      : [
                          t('slotCount', { n: openSlots.count }),
                          openSlots.fromPriceMicros !== null ? t('fromPrice', { price: fmt(openSlots.fromPriceMicros) }) : '',
                          openSlots.nextDate ? t('nextDate', { date: day(openSlots.nextDate, lang) }) : '',
                        ]
                          .filter(Boolean)
                          .join(' · '),
                ],
              ]}
            />
          </>
        )}
      </Loaded>
    </section>
  );
}

export function MarketAccountPage({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const account = useLoad(useCallback(() => must(api.GET('/v1/marketplace/accounts/{id}', { params: { path: { id } } })), [id]));
  const slots = useLoad(
    useCallback(() => must(api.GET('/v1/marketplace/accounts/{id}/slots', { params: { path: { id }, query: { from: today(), limit: 50 } } })), [id]),
  );
  const [booking, setBooking] = useState<Schemas['Slot']>();
  return (
    <Loaded state={account}>
      {(a) => (
        <section>
          <p>
            <Link to="marketplace">{t('back')}</Link>
          </p>
          <h1>{a.name}</h1>
          <p>
            {label(t, 'plat_', a.platform)} · {label(t, 'cat_', a.category)} · {t('followers')} {num(a.audience.followers, lang)} · {t('averageReads')}{' '}
            {num(a.audience.averageReads, lang)} · {label(t, 'src_', a.audience.source)}
          </p>
          {a.description && <p>{a.description}</p>}
          <div className="charts">
            <ShareBars title={t('dimGender')} shares={a.audience.gender} prefix="g_" />
            <ShareBars title={t('dimAgeBand')} shares={a.audience.ageBand} prefix="a_" />
            <ShareBars title={t('dimRegion')} shares={a.audience.region} prefix="r_" />
            <ShareBars title={t('dimInterests')} shares={a.audience.interests} prefix="i_" />
          </div>
          <h2>{t('openSlots')}</h2>
          <Loaded state={slots}>
            {(page) => (
              <Table
                caption={t('openSlots')}
                rows={page.items}
                rowKey={(s) => s.id}
                columns={[
                  [t('slotId'), (s) => <code>{s.id}</code>],
                  [t('publishDate'), (s) => day(s.publishDate, lang)],
                  [t('position'), (s) => label(t, 'pos_', s.position)],
                  [t('format'), (s) => label(t, 'fmt_', s.format)],
                  [t('price'), (s) => <Money micros={s.priceMicros} />],
                  [
                    t('actions'),
                    (s) => (
                      <button type="button" onClick={() => setBooking(s)} aria-label={`${t('book')} ${s.id}`}>
                        {t('book')}
                      </button>
                    ),
                  ],
                ]}
              />
            )}
          </Loaded>
          {booking && <BookSlot slot={booking} />}
        </section>
      )}
    </Loaded>
  );
}

export type Brief = Schemas['OrderBrief'];

export function BriefFields({ brief, onChange }: { brief: Brief; onChange: (b: Brief) => void }) {
  const { t } = useI18n();
  return (
    <fieldset>
      <legend>{t('brief')}</legend>
      <Input label={t('title')} required value={brief.title} onChange={(e) => onChange({ ...brief, title: e.target.value })} />
      <Input label={t('copy')} required value={brief.copy} onChange={(e) => onChange({ ...brief, copy: e.target.value })} />
      <Input label={t('landingUrl')} type="url" required value={brief.landingUrl} onChange={(e) => onChange({ ...brief, landingUrl: e.target.value })} />
    </fieldset>
  );
}

/** Places an order for a slot; its price moves from the available balance into escrow. */
export function placeOrder(slotId: string, brief: Brief) {
  return must(api.POST('/v1/orders', { params: { header: { 'idempotency-key': idempotencyKey() } as never }, body: { slotId, brief } }));
}

function BookSlot({ slot }: { slot: Schemas['Slot'] }) {
  const { t, lang } = useI18n();
  const fmt = useMoney();
  const wallet = useLoad(useCallback(() => must(api.GET('/v1/wallet')), []));
  const [brief, setBrief] = useState<Brief>({ title: '', copy: '', landingUrl: '' });
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const order = await placeOrder(slot.id, brief);
      navigate(`orders/${order.id}`);
    });
  };
  return (
    <section aria-labelledby="book-title" className="card">
      <h2 id="book-title">
        {t('bookSlot')}: {day(slot.publishDate, lang)} · {label(t, 'pos_', slot.position)} · {fmt(slot.priceMicros)}
      </h2>
      <p className="help">{t('escrowNote', { price: fmt(slot.priceMicros) })}</p>
      <Loaded state={wallet}>
        {(w) => (
          <p>
            {t('available')}: <Money micros={'availableMicros' in w.balances ? w.balances.availableMicros : 0} />
          </p>
        )}
      </Loaded>
      <form onSubmit={submit}>
        <BriefFields brief={brief} onChange={setBrief} />
        <button type="submit" disabled={action.busy}>
          {t('book')}
        </button>
      </form>
      <Message message={action.message} />
    </section>
  );
}
