/** A tenant's people: the owner invites members by a link and makes password-reset links. */
import { useCallback, useState, type FormEvent } from 'react';
import { api, must } from '../api/client';
import { dateTime } from '../format';
import { label, useI18n } from '../i18n';
import { Input, Loaded, Message, Table, useAction, useLoad, useSession } from '../ui';

export function People() {
  const { t, lang } = useI18n();
  const { session } = useSession();
  const people = useLoad(useCallback(() => must(api.GET('/v1/people')), []));
  const [email, setEmail] = useState('');
  const action = useAction();
  const isOwner = session.person?.role === 'owner';
  const link = (path: string) => `${location.origin}${path}`;
  const invite = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const made = await must(api.POST('/v1/people/invites', { body: { email } }));
      return t('inviteLink', { email, link: link(made.path) });
    });
  };
  const reset = (personId: string) =>
    void action.run(async () => {
      const made = await must(api.POST('/v1/password-resets', { body: { personId } }));
      return t('resetLink', { link: link(made.path) });
    });
  return (
    <section>
      <h1>{t('peopleTitle')}</h1>
      <Loaded state={people}>
        {(page) => (
          <Table
            caption={t('peopleTitle')}
            rows={page.items}
            rowKey={(p) => p.id}
            columns={[
              [t('name'), (p) => p.name],
              [t('email'), (p) => p.email],
              [t('role'), (p) => label(t, 'personRole_', p.role)],
              [t('date'), (p) => dateTime(p.createdAt, lang)],
              [
                t('actions'),
                (p) =>
                  isOwner ? (
                    <button type="button" onClick={() => reset(p.id)}>
                      {t('resetPassword')}
                    </button>
                  ) : (
                    ''
                  ),
              ],
            ]}
          />
        )}
      </Loaded>
      {isOwner && (
        <form onSubmit={invite}>
          <Input label={t('email')} type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <button type="submit" disabled={action.busy}>
            {t('invite')}
          </button>
        </form>
      )}
      <Message message={action.message} />
    </section>
  );
}
