import { StrictMode, useCallback, useEffect, useId, useMemo, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { api, hasApiKey, must, setApiKey } from './api/client';
import { initialLang, LangContext, rememberLang, translator, useI18n, type Lang, type MessageKey } from './i18n';
import { AcceptInvite, ResetPassword, SignIn, SignUp } from './pages/auth';
import { OwnerAccount, OwnerAccounts } from './pages/accounts';
import { Earnings } from './pages/earnings';
import { Marketplace, MarketAccountPage } from './pages/marketplace';
import { MatchPlan } from './pages/match';
import { OrderPage, Orders } from './pages/orders';
import { Wallet } from './pages/wallet';
import { CampaignPage, Campaigns, NewCampaign } from './pages/campaigns';
import { Reports } from './pages/reports';
import { Deposits, Queues, Revenue } from './pages/operator';
import { People } from './pages/people';
import { Link, navigate, SessionContext, usePath, type Session } from './ui';
import './styles.css';

const NAV: Record<Session['tenant']['role'], [string, MessageKey][]> = {
  publisher: [
    ['accounts', 'navAccounts'],
    ['orders', 'navOrders'],
    ['earnings', 'navEarnings'],
    ['reports', 'navReports'],
    ['people', 'navPeople'],
  ],
  advertiser: [
    ['marketplace', 'navMarketplace'],
    ['match', 'navMatch'],
    ['orders', 'navOrders'],
    ['campaigns', 'navCampaigns'],
    ['wallet', 'navWallet'],
    ['reports', 'navReports'],
    ['people', 'navPeople'],
  ],
  admin: [
    ['queues', 'navQueues'],
    ['deposits', 'navDeposits'],
    ['revenue', 'navRevenue'],
  ],
};

const PUBLIC_PAGES: Record<string, () => ReactNode> = {
  signin: SignIn,
  signup: SignUp,
  'accept-invite': AcceptInvite,
  'reset-password': ResetPassword,
};

function page(path: string, role: Session['tenant']['role']): ReactNode {
  const [first = '', id] = path.split('/');
  switch (first) {
    case 'accounts':
      return id ? <OwnerAccount id={id} /> : <OwnerAccounts />;
    case 'orders':
      return id ? <OrderPage id={id} /> : <Orders />;
    case 'earnings':
      return <Earnings />;
    case 'reports':
      return <Reports />;
    case 'marketplace':
      return id ? <MarketAccountPage id={id} /> : <Marketplace />;
    case 'match':
      return <MatchPlan />;
    case 'wallet':
      return <Wallet />;
    case 'campaigns':
      return id === 'new' ? <NewCampaign /> : id ? <CampaignPage id={id} /> : <Campaigns />;
    case 'queues':
      return <Queues />;
    case 'deposits':
      return <Deposits />;
    case 'revenue':
      return <Revenue />;
    case 'people':
      return <People />;
    default:
      return page(NAV[role][0]![0], role);
  }
}

function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  const id = useId();
  return (
    <div className="lang">
      <label htmlFor={id}>{t('language')}</label>{' '}
      <select id={id} value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
        <option value="en" lang="en">
          English
        </option>
        <option value="zh-CN" lang="zh-CN">
          简体中文
        </option>
      </select>
    </div>
  );
}

function Shell({ session, children, path }: { session?: Session; children: ReactNode; path: string }) {
  const { t } = useI18n();
  const signOut = useCallback(async () => {
    if (hasApiKey()) setApiKey(null);
    else await api.DELETE('/v1/sessions/current');
    location.assign('/console/signin');
  }, []);
  const first = path.split('/')[0];
  return (
    <>
      <a className="skip" href="#main">
        {t('skipToContent')}
      </a>
      <header>
        <span className="brand">{t('appName')}</span>
        {session && (
          <nav aria-label={t('mainNav')}>
            <ul>
              {NAV[session.tenant.role].map(([to, key]) => (
                <li key={to}>
                  <Link to={to} {...(first === to ? { 'aria-current': 'page' as const } : {})}>
                    {t(key)}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div className="tools">
          <LanguageSwitch />
          {session && (
            <>
              <span className="who">
                {t('signedInAs')} {session.person?.email ?? session.tenant.name}
              </span>
              <button type="button" onClick={() => void signOut()}>
                {t('signOut')}
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

async function loadSession(): Promise<Session | null> {
  const me = await api.GET('/v1/me');
  if (me.response.status === 401) return null;
  const { person, ...tenant } = await must(Promise.resolve(me));
  const wallet = await must(api.GET('/v1/wallet'));
  return { tenant, ...(person ? { person } : {}), currency: wallet.currency };
}

function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const path = usePath();
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<string>();
  const i18n = useMemo(
    () => ({
      lang,
      t: translator(lang),
      setLang: (next: Lang) => {
        rememberLang(next);
        setLangState(next);
      },
    }),
    [lang],
  );
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = i18n.t('appName');
  }, [lang, i18n]);
  const isPublic = path.split('/')[0]! in PUBLIC_PAGES;
  useEffect(() => {
    if (isPublic) return;
    loadSession().then(
      (s) => {
        setSession(s);
        if (!s) navigate('signin');
      },
      (e: Error) => setError(e.message),
    );
  }, [isPublic]);
  const PublicPage = PUBLIC_PAGES[path.split('/')[0]!];
  let body: ReactNode;
  if (PublicPage) body = <PublicPage />;
  else if (error) body = <p role="alert">{`${i18n.t('error')}: ${error}`}</p>;
  else if (!session) body = <p aria-busy="true">{i18n.t('loading')}</p>;
  else body = page(path, session.tenant.role);
  return (
    <LangContext.Provider value={i18n}>
      {session && !PublicPage ? (
        <SessionContext.Provider value={{ session, signOut: () => undefined }}>
          <Shell session={session} path={path}>
            {body}
          </Shell>
        </SessionContext.Provider>
      ) : (
        <Shell path={path}>{body}</Shell>
      )}
    </LangContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
