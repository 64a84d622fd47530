/** Account owners: earnings pending (orders in progress), cleared and paid; payouts. */
import { useCallback, useState, type FormEvent } from 'react';
import { api, idempotencyKey, must } from '../api/client';
import { dateTime, parseMoney } from '../format';
import { label, useI18n } from '../i18n';
import { Input, Loaded, Message, Money, Table, useAction, useLoad } from '../ui';
import { Balance, Balances, Ledger } from './wallet';

const IN_PROGRESS = ['requested', 'accepted', 'in_review', 'scheduled', 'published', 'disputed'] as const;

export function Earnings() {
  const { t, lang } = useI18n();
  const balances = useLoad(
    useCallback(async () => {
      const [wallet, ...pages] = await Promise.all([
        must(api.GET('/v1/wallet')),
        ...IN_PROGRESS.map((state) => must(api.GET('/v1/orders', { params: { query: { state, limit: 100 } } }))),
      ]);
      return { wallet, pendingMicros: pages.flatMap((p) => p.items).reduce((sum, o) => sum + o.heldMicros, 0) };
    }, []),
  );
  const payouts = useLoad(useCallback(() => must(api.GET('/v1/payouts')), []));
  const [amount, setAmount] = useState('');
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const amountMicros = parseMoney(amount);
      if (amountMicros === null) throw new Error(`${t('amount')}?`);
      await must(api.POST('/v1/payouts', { params: { header: { 'idempotency-key': idempotencyKey() } as never }, body: { amountMicros } }));
      balances.reload();
      payouts.reload();
      return t('saved');
    });
  };
  return (
    <section>
      <h1>{t('earningsTitle')}</h1>
      <Loaded state={balances}>
        {({ wallet, pendingMicros }) => (
          <Balances wallet={wallet}>
            <Balance name={t('pending')} micros={pendingMicros} />
          </Balances>
        )}
      </Loaded>
      <h2>{t('payouts')}</h2>
      <Loaded state={payouts}>
        {(page) => (
          <Table
            caption={t('payouts')}
            rows={page.items}
            rowKey={(p) => p.id}
            columns={[
              [t('date'), (p) => dateTime(p.createdAt, lang)],
              [t('amount'), (p) => <Money micros={p.amountMicros} />],
              [t('status'), (p) => label(t, 'pay_', p.status)],
            ]}
          />
        )}
      </Loaded>
      <form onSubmit={submit}>
        <Input label={t('amount')} inputMode="decimal" required value={amount} onChange={(e) => setAmount(e.target.value)} />
        <button type="submit" disabled={action.busy}>
          {t('requestPayout')}
        </button>
      </form>
      <Message message={action.message} />
      <Ledger />
    </section>
  );
}
