/** Small building blocks shared by the pages: routing, loading, forms, tables, money. */
import { createContext, useCallback, useContext, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { money } from './format';
import { useI18n, type MessageKey } from './i18n';
import type { Schemas } from './api/client';

export const BASE = '/console/';

/** The path inside the console ("orders/ord_1"), from location. */
export function currentPath(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '';
  return path.replace(/\/$/, '');
}

export function navigate(path: string): void {
  history.pushState(null, '', BASE + path);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function usePath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = () => setPath(currentPath());
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return path;
}

export function Link({ to, children, ...rest }: { to: string; children: ReactNode; className?: string; 'aria-current'?: 'page' }) {
  return (
    <a
      href={BASE + to}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(to);
      }}
      {...rest}
    >
      {children}
    </a>
  );
}

export interface Session {
  tenant: Schemas['Tenant'];
  person?: { id: string; email: string; name: string; role: 'owner' | 'member' };
  currency: string;
}

export const SessionContext = createContext<{ session: Session; signOut: () => void } | null>(null);

export function useSession() {
  const value = useContext(SessionContext);
  if (!value) throw new Error('no session');
  return value;
}

/**
 * Loads data, again whenever `load` changes; `reload` fetches again after an action. Only the latest
 * fetch's answer is shown. `load` must be memoized (`useCallback` with its inputs as dependencies).
 */
export function useLoad<D>(load: () => Promise<D>): { data?: D; error?: Error; reload: () => void } {
  const [state, setState] = useState<{ data?: D; error?: Error }>({});
  const latest = useRef(0);
  const reload = useCallback(() => {
    const request = ++latest.current;
    load().then(
      (data) => request === latest.current && setState({ data }),
      (error: Error) => request === latest.current && setState({ error }),
    );
  }, [load]);
  useEffect(() => {
    reload();
    return () => {
      latest.current++;
    };
  }, [reload]);
  return { ...state, reload };
}

/** Runs an action, shows its error or success message, and reports whether it succeeded. */
export function useAction(): { busy: boolean; message?: { ok: boolean; text: string }; run: (action: () => Promise<string | void>) => Promise<boolean> } {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const run = useCallback(async (action: () => Promise<string | void>) => {
    setBusy(true);
    setMessage(undefined);
    try {
      const text = await action();
      if (text) setMessage({ ok: true, text });
      return true;
    } catch (error) {
      setMessage({ ok: false, text: (error as Error).message });
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, message, run };
}

export function Message({ message }: { message?: { ok: boolean; text: string } }) {
  if (!message) return null;
  return (
    <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'ok' : 'problem'}>
      {message.text}
    </p>
  );
}

export function Loaded<D>({ state, children }: { state: { data?: D; error?: Error }; children: (data: D) => ReactNode }) {
  const { t } = useI18n();
  if (state.error) return <p role="alert" className="problem">{`${t('error')}: ${state.error.message}`}</p>;
  if (state.data === undefined) return <p aria-busy="true">{t('loading')}</p>;
  return <>{children(state.data)}</>;
}

export function Field({ label, children, hint }: { label: string; hint?: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {hint && <small>{hint}</small>}
    </div>
  );
}

export function Input({ label, hint, ...props }: { label: string; hint?: string } & React.InputHTMLAttributes<HTMLInputElement>) {
  return (
    <Field label={label} hint={hint}>
      {(id) => <input id={id} {...props} />}
    </Field>
  );
}

/** A select over enum values, each labelled through the dictionary (`prefix + value`). */
export function EnumSelect<V extends string>({
  label,
  values,
  prefix,
  value,
  onChange,
  any,
}: {
  label: string;
  values: readonly V[];
  prefix: string;
  value: V | '';
  onChange: (v: V) => void;
  any?: boolean;
}) {
  const { t } = useI18n();
  return (
    <Field label={label}>
      {(id) => (
        <select id={id} value={value} onChange={(e) => onChange(e.target.value as V)}>
          {any && <option value="">{t('anyOption')}</option>}
          {values.map((v) => (
            <option key={v} value={v}>
              {t(`${prefix}${v}` as MessageKey)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function Money({ micros }: { micros: number }) {
  const { lang } = useI18n();
  const { session } = useSession();
  return <span className="money">{money(micros, session.currency, lang)}</span>;
}

export function useMoney(): (micros: number) => string {
  const { lang } = useI18n();
  const { currency } = useSession().session;
  return useCallback((micros: number) => money(micros, currency, lang), [currency, lang]);
}

/** A table of `rows`, one column per [heading, cell] pair (headings unique); `rowKey` names a row (its id, its date). */
export function Table<R>({
  caption,
  rows,
  rowKey,
  columns,
}: {
  caption: string;
  rows: readonly R[];
  rowKey: (row: R) => string;
  columns: [heading: string, cell: (row: R) => ReactNode][];
}) {
  const { t } = useI18n();
  if (rows.length === 0) return <p>{t('none')}</p>;
  return (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map(([heading]) => (
              <th key={heading} scope="col">
                {heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map(([heading, cell]) => (
                <td key={heading}>{cell(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A horizontal bar chart of shares (audience distributions): one labelled bar per value. */
export function ShareBars({ title, shares, prefix }: { title: string; shares: Record<string, number>; prefix: string }) {
  const { t, lang } = useI18n();
  const entries = Object.entries(shares).sort((a, b) => b[1] - a[1]);
  return (
    <figure className="bars">
      <figcaption>{title}</figcaption>
      <ul>
        {entries.map(([key, share]) => {
          const text = `${t(`${prefix}${key}` as MessageKey)} ${new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }).format(share)}`;
          return (
            <li key={key}>
              <span>{text}</span>
              <span className="bar" style={{ width: `${Math.round(share * 100)}%` }} aria-hidden="true" />
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
