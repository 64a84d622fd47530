/** Wallets: balances, and the ledger filtered by date and cause with the running balance. */
import { useCallback, useState, type ReactNode } from 'react';
import { api, must, type Schemas } from '../api/client';
import { CAUSES } from '../enums';
import { dateTime } from '../format';
import { label, useI18n, type MessageKey } from '../i18n';
import { EnumSelect, Input, Loaded, Money, Table, useLoad, useMoney, useSession } from '../ui';

/** The label of a ledger bucket (`advertiser:tnt_1:available` → "Available"). */
export const BUCKET_LABELS: Record<string, MessageKey> = {
  available: 'available',
  held: 'held',
  earned: 'cleared',
  pendingPayout: 'pendingPayout',
  paid: 'paid',
  revenue: 'revenue',
  cash: 'cash',
};

export function Balance({ name, micros }: { name: string; micros: number }) {
  return (
    <div>
      <dt>{name}</dt>
      <dd>
        <Money micros={micros} />
      </dd>
    </div>
  );
}

/** Balances of any role, each with its label, after any given first. */
export function Balances({ wallet, children }: { wallet: Schemas['Wallet']; children?: ReactNode }) {
  const { t } = useI18n();
  return (
    <dl className="balances">
      {children}
      {Object.entries(wallet.balances).map(([key, micros]) => (
        <Balance key={key} name={t(BUCKET_LABELS[key.replace(/Micros$/, '')] ?? 'amount')} micros={micros} />
      ))}
    </dl>
  );
}

type Entry = Schemas['LedgerEntry'] & { balancesAfter?: Record<string, number> };

export function Ledger() {
  const { t, lang } = useI18n();
  const fmt = useMoney();
  const { session } = useSession();
  const [filter, setFilter] = useState({ from: '', to: '', cause: '' as (typeof CAUSES)[number] | '' });
  const ledger = useLoad(
    useCallback(
      () =>
        must(
          api.GET('/v1/wallet/ledger', {
            params: {
              query: {
                limit: 100,
                ...(filter.from ? { from: new Date(`${filter.from}T00:00:00`).toISOString() } : {}),
                ...(filter.to ? { to: new Date(`${filter.to}T23:59:59.999`).toISOString() } : {}),
                ...(filter.cause ? { cause: filter.cause } : {}),
              },
            },
          }),
        ),
      [filter.from, filter.to, filter.cause],
    ),
  );
  const mine = (account: string) => session.tenant.role === 'admin' || account.split(':')[1] === session.tenant.id;
  const bucketText = (bucket: string, micros: number) => `${t(BUCKET_LABELS[bucket] ?? 'amount')} ${micros > 0 ? '+' : ''}${fmt(micros)}`;
  return (
    <section>
      <h2>{t('ledger')}</h2>
      <div className="filters">
        <Input label={t('from')} type="date" value={filter.from} onChange={(e) => setFilter({ ...filter, from: e.target.value })} />
        <Input label={t('to')} type="date" value={filter.to} onChange={(e) => setFilter({ ...filter, to: e.target.value })} />
        <EnumSelect label={t('cause')} values={CAUSES} prefix="cause_" value={filter.cause} onChange={(cause) => setFilter({ ...filter, cause })} any />
      </div>
      <Loaded state={ledger}>
        {(page) => (
          <Table
            caption={t('ledger')}
            rows={page.items as Entry[]}
            rowKey={(e) => e.txnId}
            columns={[
              [t('date'), (e) => dateTime(e.at, lang)],
              [t('cause'), (e) => `${label(t, 'cause_', e.cause.type)} ${e.cause.id}`],
              [
                t('change'),
                (e) =>
                  e.postings
                    .filter((p) => mine(p.account))
                    .map((p) => bucketText(p.account.split(':').pop()!, p.amountMicros))
                    .join(' · '),
              ],
              [
                t('balanceAfter'),
                (e) =>
                  e.balancesAfter
                    ? Object.entries(e.balancesAfter)
                        .map(([k, v]) => `${t(BUCKET_LABELS[k.replace(/Micros$/, '')] ?? 'amount')} ${fmt(v)}`)
                        .join(' · ')
                    : '—',
              ],
            ]}
          />
        )}
      </Loaded>
    </section>
  );
}

export function Wallet() {
  const { t } = useI18n();
  const wallet = useLoad(useCallback(() => must(api.GET('/v1/wallet')), []));
  return (
    <section>
      <h1>{t('walletTitle')}</h1>
      <Loaded state={wallet}>{(w) => <Balances wallet={w} />}</Loaded>
      <Ledger />
    </section>
  );
}
