/** Orders for owners (the inbox) and advertisers: deadlines, the timeline and each state's actions. */
import { useCallback, useState, type FormEvent } from 'react';
import { api, idempotencyKey, must, type Schemas } from '../api/client';
import { ORDER_STATES } from '../enums';
import { dateTime, parseMoney } from '../format';
import { label, useI18n, type MessageKey } from '../i18n';
import { EnumSelect, Input, Link, Loaded, Message, Money, Table, useAction, useLoad, useSession } from '../ui';

type Order = Schemas['Order'];
type Action = Order['allowedActions'][number];

function Deadline({ order }: { order: Order }) {
  const { t, lang } = useI18n();
  if (order.state === 'requested' && order.deadlines.respondBy) return <>{t('respondBy', { date: dateTime(order.deadlines.respondBy, lang) })}</>;
  if (order.state === 'published' && order.deadlines.reviewEndsAt) return <>{t('reviewEndsAt', { date: dateTime(order.deadlines.reviewEndsAt, lang) })}</>;
  return <>—</>;
}

export function Orders() {
  const { t } = useI18n();
  const { session } = useSession();
  const [state, setState] = useState<Order['state'] | ''>('');
  const list = useLoad(useCallback(() => must(api.GET('/v1/orders', { params: { query: state ? { state } : {} } })), [state]));
  return (
    <section>
      <h1>{session.tenant.role === 'publisher' ? t('ordersInbox') : t('ordersTitle')}</h1>
      <EnumSelect label={t('state')} values={ORDER_STATES} prefix="st_" value={state} onChange={setState} any />
      <Loaded state={list}>
        {(page) => (
          <Table
            caption={t('ordersTitle')}
            rows={page.items}
            rowKey={(o) => o.id}
            columns={[
              [t('order'), (o) => <Link to={`orders/${o.id}`}>{o.id}</Link>],
              [t('title'), (o) => o.brief.title],
              [t('state'), (o) => label(t, 'st_', o.state)],
              [t('price'), (o) => <Money micros={o.priceMicros} />],
              [t('deadline'), (o) => <Deadline order={o} />],
            ]}
          />
        )}
      </Loaded>
    </section>
  );
}

/** The fields an action asks for, beyond the order itself. */
const ACTION_FIELDS: Partial<Record<Action, ('content' | 'postUrl' | 'publishedAt' | 'reads' | 'reason' | 'outcome')[]>> = {
  'submit-draft': ['content'],
  publish: ['postUrl', 'publishedAt', 'reads'],
  dispute: ['reason'],
  resolve: ['outcome'],
};

/** Now in the viewer's zone, as a datetime-local input holds it (a post is published at or before now). */
function localNow(): string {
  const d = new Date();
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function ActionForm({ order, action, done }: { order: Order; action: Action; done: () => void }) {
  const { t } = useI18n();
  const fields = ACTION_FIELDS[action] ?? [];
  const [form, setForm] = useState({
    content: '',
    postUrl: '',
    publishedAt: localNow(),
    reads: '',
    reason: '',
    outcome: 'pay' as 'pay' | 'refund' | 'partial',
    refund: '',
  });
  const run = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run.run(async () => {
      const body: Record<string, unknown> = {};
      if (fields.includes('content')) body.content = form.content;
      if (fields.includes('postUrl')) Object.assign(body, { postUrl: form.postUrl, publishedAt: new Date(form.publishedAt).toISOString() });
      if (fields.includes('reads') && form.reads) body.reads = Number(form.reads);
      if (fields.includes('reason')) body.reason = form.reason;
      if (fields.includes('outcome'))
        Object.assign(body, { outcome: form.outcome }, form.outcome === 'partial' ? { refundMicros: parseMoney(form.refund) ?? 0 } : {});
      await must(
        api.POST(`/v1/orders/{id}/${action}` as '/v1/orders/{id}/accept', {
          params: { path: { id: order.id }, header: { 'idempotency-key': idempotencyKey() } as never },
          body: body as never,
        }),
      );
      done();
    });
  };
  return (
    <form onSubmit={submit} className="action">
      {fields.includes('content') && (
        <Input label={t('draftContent')} required value={form.content} onChange={(e) => setForm({ ...form, content: e.target.value })} />
      )}
      {fields.includes('postUrl') && (
        <Input label={t('postUrl')} type="url" required value={form.postUrl} onChange={(e) => setForm({ ...form, postUrl: e.target.value })} />
      )}
      {fields.includes('publishedAt') && (
        <Input
          label={t('publishedAt')}
          type="datetime-local"
          required
          value={form.publishedAt}
          onChange={(e) => setForm({ ...form, publishedAt: e.target.value })}
        />
      )}
      {fields.includes('reads') && order.format === 'ad_card' && (
        <Input label={t('reads')} type="number" min={0} required value={form.reads} onChange={(e) => setForm({ ...form, reads: e.target.value })} />
      )}
      {fields.includes('reason') && (
        <Input label={t('disputeReason')} required value={form.reason} onChange={(e) => setForm({ ...form, reason: e.target.value })} />
      )}
      {fields.includes('outcome') && (
        <>
          <EnumSelect
            label={t('outcome')}
            values={['pay', 'refund', 'partial'] as const}
            prefix="outcome_"
            value={form.outcome}
            onChange={(outcome) => setForm({ ...form, outcome })}
          />
          {form.outcome === 'partial' && (
            <Input label={t('refundAmount')} inputMode="decimal" required value={form.refund} onChange={(e) => setForm({ ...form, refund: e.target.value })} />
          )}
        </>
      )}
      <button type="submit" disabled={run.busy}>
        {t(`act_${action}` as MessageKey)}
      </button>
      <Message message={run.message} />
    </form>
  );
}

export function OrderPage({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const order = useLoad(useCallback(() => must(api.GET('/v1/orders/{id}', { params: { path: { id } } })), [id]));
  return (
    <Loaded state={order}>
      {(o) => (
        <section>
          <h1>
            {t('order')} {o.id}
          </h1>
          <dl className="facts">
            <dt>{t('state')}</dt>
            <dd className={`state st-${o.state}`}>{label(t, 'st_', o.state)}</dd>
            <dt>{t('price')}</dt>
            <dd>
              <Money micros={o.priceMicros} />
            </dd>
            <dt>{t('held')}</dt>
            <dd>
              <Money micros={o.heldMicros} />
            </dd>
            <dt>{t('deadline')}</dt>
            <dd>
              <Deadline order={o} />
            </dd>
            <dt>{t('slotId')}</dt>
            <dd>
              <code>{o.slotId}</code> · {label(t, 'fmt_', o.format)}
            </dd>
          </dl>
          <h2>{t('brief')}</h2>
          <p>
            <strong>{o.brief.title}</strong> — {o.brief.copy} — <a href={o.brief.landingUrl}>{o.brief.landingUrl}</a>
          </p>
          {o.draft && (
            <p>
              {t('draftContent')}: {o.draft.content}
            </p>
          )}
          {o.proof && (
            <p>
              {t('postUrl')}: <a href={o.proof.postUrl}>{o.proof.postUrl}</a> · {dateTime(o.proof.publishedAt, lang)}
              {o.proof.reads !== undefined ? ` · ${t('reads')}: ${o.proof.reads}` : ''}
            </p>
          )}
          {o.settlement && (
            <p>
              {t('settlement')}: <Money micros={o.settlement.capturedMicros} /> / {t('refundAmount')} <Money micros={o.settlement.refundedMicros} />
            </p>
          )}
          <h2>{t('actions')}</h2>
          {o.allowedActions.filter((a) => a !== 'expire' && a !== 'auto-complete').length === 0 ? (
            <p>{t('none')}</p>
          ) : (
            o.allowedActions.filter((a) => a !== 'expire' && a !== 'auto-complete').map((a) => <ActionForm key={a} order={o} action={a} done={order.reload} />)
          )}
          <h2>{t('timeline')}</h2>
          <ol className="timeline">
            {o.timeline.map((step) => (
              <li key={`${step.at} ${step.from}→${step.to}`}>
                <time dateTime={step.at}>{dateTime(step.at, lang)}</time> · {label(t, 'actor_', step.actor.role)} · {label(t, 'st_', step.to)}
                {step.note ? ` — ${step.note}` : ''}
              </li>
            ))}
          </ol>
        </section>
      )}
    </Loaded>
  );
}
