/** Sign up, sign in (password, or an API key), accepting an invite and resetting a password. */
import { useState, type FormEvent } from 'react';
import { api, must, setApiKey } from '../api/client';
import { useI18n } from '../i18n';
import { Input, Link, Message, useAction } from '../ui';

/** Into the console: a full load, so the session is read afresh. */
function enter(): void {
  location.assign('/console/');
}

function fragmentToken(): string {
  return new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
}

export function SignIn() {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [key, setKey] = useState('');
  const action = useAction();
  const withPassword = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      setApiKey(null);
      await must(api.POST('/v1/sessions', { body: { email, password } }));
      enter();
    });
  };
  const withKey = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      setApiKey(key.trim());
      const me = await api.GET('/v1/me');
      if (!me.response.ok) {
        setApiKey(null);
        await must(Promise.resolve(me));
      }
      enter();
    });
  };
  return (
    <section className="narrow">
      <h1>{t('signIn')}</h1>
      <form onSubmit={withPassword}>
        <Input label={t('email')} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <Input label={t('password')} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <button type="submit" disabled={action.busy}>
          {t('signIn')}
        </button>
      </form>
      <Message message={action.message} />
      <p>
        {t('noAccountYet')} <Link to="signup">{t('signUp')}</Link>
      </p>
      <details>
        <summary>{t('orApiKey')}</summary>
        <form onSubmit={withKey}>
          <Input label={t('apiKey')} type="password" autoComplete="off" required value={key} onChange={(e) => setKey(e.target.value)} />
          <button type="submit" disabled={action.busy}>
            {t('signInWithKey')}
          </button>
        </form>
      </details>
    </section>
  );
}

export function SignUp() {
  const { t } = useI18n();
  const [form, setForm] = useState({ role: 'advertiser' as 'advertiser' | 'publisher', name: '', email: '', password: '' });
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      setApiKey(null);
      const made = await must(api.POST('/v1/signup', { body: form }));
      // Without a person (an API that only issues keys), the new key signs this tab in.
      if (!(made as { person?: unknown }).person) setApiKey(made.apiKey.key);
      enter();
    });
  };
  return (
    <section className="narrow">
      <h1>{t('createAccount')}</h1>
      <form onSubmit={submit}>
        <fieldset>
          <legend>{t('role')}</legend>
          {(['advertiser', 'publisher'] as const).map((role) => (
            <label key={role} className="inline">
              <input type="radio" name="role" value={role} checked={form.role === role} onChange={() => setForm({ ...form, role })} />
              {role === 'advertiser' ? t('roleAdvertiser') : t('rolePublisher')}
            </label>
          ))}
        </fieldset>
        <Input label={t('name')} required autoComplete="organization" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        <Input label={t('email')} type="email" required autoComplete="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
        <Input
          label={t('password')}
          hint={t('passwordHint')}
          type="password"
          required
          minLength={10}
          autoComplete="new-password"
          value={form.password}
          onChange={(e) => setForm({ ...form, password: e.target.value })}
        />
        <button type="submit" disabled={action.busy}>
          {t('signUp')}
        </button>
      </form>
      <Message message={action.message} />
      <p>
        {t('haveAccount')} <Link to="signin">{t('signIn')}</Link>
      </p>
    </section>
  );
}

export function AcceptInvite() {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      setApiKey(null);
      await must(api.POST('/v1/invites/accept', { body: { token: fragmentToken(), name, password } }));
      enter();
    });
  };
  return (
    <section className="narrow">
      <h1>{t('acceptInvite')}</h1>
      <form onSubmit={submit}>
        <Input label={t('name')} required value={name} onChange={(e) => setName(e.target.value)} />
        <Input
          label={t('password')}
          hint={t('passwordHint')}
          type="password"
          required
          minLength={10}
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" disabled={action.busy}>
          {t('acceptInvite')}
        </button>
      </form>
      <Message message={action.message} />
    </section>
  );
}

export function ResetPassword() {
  const { t } = useI18n();
  const [password, setPassword] = useState('');
  const action = useAction();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      await must(api.POST('/v1/password-resets/complete', { body: { token: fragmentToken(), password } }));
      return t('passwordChanged');
    });
  };
  return (
    <section className="narrow">
      <h1>{t('resetPassword')}</h1>
      <form onSubmit={submit}>
        <Input
          label={t('password')}
          hint={t('passwordHint')}
          type="password"
          required
          minLength={10}
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" disabled={action.busy}>
          {t('save')}
        </button>
      </form>
      <Message message={action.message} />
      <p>
        <Link to="signin">{t('signIn')}</Link>
      </p>
    </section>
  );
}
