/** Operators: queues (verification, creative review, disputes, payouts), deposits and platform revenue. */
import { useCallback, useState, type FormEvent } from 'react';
import { api, must } from '../api/client';
import { dateTime, parseMoney } from '../format';
import { label, useI18n } from '../i18n';
import { Input, Link, Loaded, Message, Money, Table, useAction, useLoad } from '../ui';
import { Balances, Ledger } from './wallet';

export function Queues() {
  const { t, lang } = useI18n();
  const accounts = useLoad(useCallback(() => must(api.GET('/v1/admin/queues/accounts')), []));
  const creatives = useLoad(useCallback(() => must(api.GET('/v1/admin/queues/creatives')), []));
  const disputes = useLoad(useCallback(() => must(api.GET('/v1/orders', { params: { query: { state: 'disputed' } } })), []));
  const payouts = useLoad(useCallback(() => must(api.GET('/v1/admin/payouts', { params: { query: { status: 'requested' } } })), []));
  const [reason, setReason] = useState('');
  const action = useAction();
  const decide = (call: () => Promise<unknown>, reload: () => void) =>
    void action.run(async () => {
      await call();
      reload();
      return t('saved');
    });
  const id = (value: string) => ({ params: { path: { id: value } } });
  return (
    <section>
      <h1>{t('queuesTitle')}</h1>
      <Message message={action.message} />
      <Input label={`${t('reason')} (${t('reject')})`} value={reason} onChange={(e) => setReason(e.target.value)} />
      <h2>{t('queueAccounts')}</h2>
      <Loaded state={accounts}>
        {(page) => (
          <Table
            caption={t('queueAccounts')}
            rows={page.items}
            rowKey={(a) => a.id}
            columns={[
              [t('name'), (a) => a.name],
              [t('platform'), (a) => `${label(t, 'plat_', a.platform)} · ${a.handle}`],
              [t('followers'), (a) => a.audience.followers],
              [
                t('actions'),
                (a) => (
                  <div className="buttons">
                    <button
                      type="button"
                      onClick={() => decide(() => must(api.POST('/v1/admin/accounts/{id}/verify', { ...id(a.id), body: {} })), accounts.reload)}
                    >
                      {`${t('verify')} ${a.name}`}
                    </button>
                    <button
                      type="button"
                      disabled={!reason}
                      onClick={() => decide(() => must(api.POST('/v1/admin/accounts/{id}/reject', { ...id(a.id), body: { reason } })), accounts.reload)}
                    >
                      {`${t('reject')} ${a.name}`}
                    </button>
                  </div>
                ),
              ],
            ]}
          />
        )}
      </Loaded>
      <h2>{t('queueCreatives')}</h2>
      <Loaded state={creatives}>
        {(page) => (
          <Table
            caption={t('queueCreatives')}
            rows={page.items}
            rowKey={(c) => c.id}
            columns={[
              [t('title'), (c) => c.title],
              [t('body'), (c) => c.body],
              [t('landingUrl'), (c) => c.landingUrl],
              [
                t('actions'),
                (c) => (
                  <div className="buttons">
                    <button
                      type="button"
                      onClick={() => decide(() => must(api.POST('/v1/admin/creatives/{id}/approve', { ...id(c.id), body: {} })), creatives.reload)}
                    >
                      {`${t('approve')} ${c.title}`}
                    </button>
                    <button
                      type="button"
                      disabled={!reason}
                      onClick={() => decide(() => must(api.POST('/v1/admin/creatives/{id}/reject', { ...id(c.id), body: { reason } })), creatives.reload)}
                    >
                      {`${t('reject')} ${c.title}`}
                    </button>
                  </div>
                ),
              ],
            ]}
          />
        )}
      </Loaded>
      <h2>{t('queueDisputes')}</h2>
      <Loaded state={disputes}>
        {(page) => (
          <Table
            caption={t('queueDisputes')}
            rows={page.items}
            rowKey={(o) => o.id}
            columns={[
              [t('order'), (o) => <Link to={`orders/${o.id}`}>{o.id}</Link>],
              [t('disputeReason'), (o) => o.disputeReason ?? ''],
              [t('price'), (o) => <Money micros={o.priceMicros} />],
            ]}
          />
        )}
      </Loaded>
      <h2>{t('queuePayouts')}</h2>
      <Loaded state={payouts}>
        {(page) => (
          <Table
            caption={t('queuePayouts')}
            rows={page.items}
            rowKey={(p) => p.id}
            columns={[
              [t('date'), (p) => dateTime(p.createdAt, lang)],
              [t('amount'), (p) => <Money micros={p.amountMicros} />],
              [
                t('actions'),
                (p) => (
                  <div className="buttons">
                    <button type="button" onClick={() => decide(() => must(api.POST('/v1/admin/payouts/{id}/paid', id(p.id))), payouts.reload)}>
                      {t('markPaid')}
                    </button>
                    <button type="button" onClick={() => decide(() => must(api.POST('/v1/admin/payouts/{id}/failed', id(p.id))), payouts.reload)}>
                      {t('markFailed')}
                    </button>
                  </div>
                ),
              ],
            ]}
          />
        )}
      </Loaded>
    </section>
  );
}

export function Deposits() {
  const { t, lang } = useI18n();
  const list = useLoad(useCallback(() => must(api.GET('/v1/admin/deposits')), []));
  const [form, setForm] = useState({ advertiserId: '', amount: '', reference: '' });
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const amountMicros = parseMoney(form.amount);
      if (amountMicros === null) throw new Error(`${t('amount')}?`);
      await must(
        api.POST('/v1/admin/deposits', {
          params: { header: { 'idempotency-key': `console-${form.reference}` } },
          body: { advertiserId: form.advertiserId, amountMicros, reference: form.reference },
        }),
      );
      list.reload();
      return t('saved');
    });
  };
  return (
    <section>
      <h1>{t('depositsTitle')}</h1>
      <form onSubmit={submit}>
        <Input label={t('advertiserId')} required value={form.advertiserId} onChange={(e) => setForm({ ...form, advertiserId: e.target.value })} />
        <Input label={t('amount')} inputMode="decimal" required value={form.amount} onChange={(e) => setForm({ ...form, amount: e.target.value })} />
        <Input label={t('reference')} required value={form.reference} onChange={(e) => setForm({ ...form, reference: e.target.value })} />
        <button type="submit" disabled={action.busy}>
          {t('newDeposit')}
        </button>
      </form>
      <Message message={action.message} />
      <Loaded state={list}>
        {(page) => (
          <Table
            caption={t('depositsTitle')}
            rows={page.items}
            rowKey={(d) => d.id}
            columns={[
              [t('date'), (d) => dateTime(d.createdAt, lang)],
              [t('advertiserId'), (d) => d.advertiserId],
              [t('amount'), (d) => <Money micros={d.amountMicros} />],
              [t('reference'), (d) => d.reference],
            ]}
          />
        )}
      </Loaded>
    </section>
  );
}

export function Revenue() {
  const { t } = useI18n();
  const wallet = useLoad(useCallback(() => must(api.GET('/v1/wallet')), []));
  return (
    <section>
      <h1>{t('revenueTitle')}</h1>
      <Loaded state={wallet}>{(w) => <Balances wallet={w} />}</Loaded>
      <Ledger />
    </section>
  );
}
