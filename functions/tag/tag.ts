/// <reference lib="dom" />
/**
 * The JavaScript ad tag, served by the serve function at /tag.js (built by `npm run build:tag`
 * into tag-script.ts; README "Ad tags"). A page marks where ads go and loads it once:
 *
 *   <div data-placard-unit="unit_…"></div>
 *   <script async src="https://…/tag.js?v=…"></script>
 *
 * 1. When the document is parsed, every unmarked `[data-placard-unit]` goes into ONE
 *    POST /v1/decisions (placements; a text/plain body, so no CORS preflight).
 * 2. The viewer id is random and first-party (the page's own localStorage), as is the frequency
 *    token the serve path returns; with Global Privacy Control or Do Not Track neither is kept.
 * 3. An ad is built from DOM nodes: text through textContent, the image as an <img>, the link is
 *    the signed click URL (rel="sponsored noopener"), an "Ad" label (data-placard-label overrides
 *    it), sized to the unit. No advertiser markup is ever parsed or run.
 * 4. The impression is sent once the ad has been viewable — ≥ 50 % of its pixels in the viewport
 *    for 1 continuous second while the page is visible (IAB/MRC display) — and never otherwise.
 * 5. No ad: the unit shows the owner's fallback HTML, or collapses.
 * `data-placard-state` on each unit says where it is: loading, ad or empty.
 */

interface Ad {
  creative: { title: string; body: string; imageUrl: string; callToAction: string };
  impressionUrl: string;
  clickUrl: string;
}
interface Placement {
  width: number;
  height: number;
  fallbackHtml?: string;
  ad: Ad | null;
}

/** IAB/MRC display viewability: half the pixels, one continuous second. */
const VIEWABLE_RATIO = 0.5;
const VIEWABLE_MS = 1000;
const VIEWER_KEY = 'placard:viewer';
const TOKEN_KEY = 'placard:frequency';

((d: Document) => {
  const script = d.currentScript as HTMLScriptElement | null;
  if (!script) return;
  const base = script.src.replace(/\/tag\.js(\?.*)?$/, '');
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  const keep = !(nav.globalPrivacyControl || nav.doNotTrack === '1');
  // Storage can be absent or refuse (private modes, sandboxed frames): then nothing is kept.
  const load = (key: string): string | null => {
    try {
      return keep ? localStorage.getItem(key) : null;
    } catch {
      return null;
    }
  };
  const save = (key: string, value: string): void => {
    try {
      if (keep) localStorage.setItem(key, value);
    } catch {
      // not kept
    }
  };
  let viewer = load(VIEWER_KEY);
  if (!viewer) {
    viewer = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    save(VIEWER_KEY, viewer);
  }

  const node = <K extends keyof HTMLElementTagNameMap>(tag: K, css: string, text?: string): HTMLElementTagNameMap[K] => {
    const e = d.createElement(tag);
    e.style.cssText = css;
    if (text) e.textContent = text;
    return e;
  };

  const empty = (slot: HTMLElement, fallbackHtml?: string): void => {
    slot.dataset.placardState = 'empty';
    // The owner's own HTML, set on the unit: never the advertiser's.
    if (fallbackHtml) slot.innerHTML = fallbackHtml;
    else slot.style.display = 'none';
  };

  const watch = (box: HTMLElement, impressionUrl: string): void => {
    let inView = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = (): void => {
      if (inView && !d.hidden) timer ??= setTimeout(fire, VIEWABLE_MS);
      else {
        clearTimeout(timer);
        timer = undefined;
      }
    };
    const observer = new IntersectionObserver(
      (entries) => {
        inView = entries[entries.length - 1]!.intersectionRatio >= VIEWABLE_RATIO;
        check();
      },
      { threshold: VIEWABLE_RATIO },
    );
    const fire = (): void => {
      observer.disconnect();
      d.removeEventListener('visibilitychange', check);
      void fetch(impressionUrl, { mode: 'no-cors', credentials: 'omit', keepalive: true }).catch(() => undefined);
    };
    observer.observe(box);
    d.addEventListener('visibilitychange', check);
  };

  const render = (slot: HTMLElement, p: Placement): void => {
    if (!p.ad) {
      empty(slot, p.fallbackHtml);
      return;
    }
    const { creative, impressionUrl, clickUrl } = p.ad;
    // A box (about as tall as wide) stacks image over text; a banner puts a square image beside it.
    const tall = p.height >= p.width * 0.6;
    const box = node(
      'div',
      `position:relative;box-sizing:border-box;width:100%;max-width:${p.width}px;height:${p.height}px;overflow:hidden;border:1px solid #ddd;background:#fff;font:14px/1.35 system-ui,sans-serif;color:#222`,
    );
    const link = node('a', `display:flex;flex-direction:${tall ? 'column' : 'row'};height:100%;color:inherit;text-decoration:none`);
    link.href = clickUrl;
    link.target = '_blank';
    link.rel = 'sponsored noopener';
    if (/^https?:/.test(creative.imageUrl)) {
      const img = node('img', `display:block;object-fit:cover;flex:none;${tall ? 'width:100%;height:55%' : `height:100%;width:${p.height}px`}`);
      img.src = creative.imageUrl;
      img.alt = '';
      link.append(img);
    }
    const text = node('div', 'flex:1;padding:8px;overflow:hidden');
    text.append(
      node('strong', 'display:block', creative.title),
      node('div', '', creative.body),
      node('span', 'display:inline-block;margin-top:6px;padding:2px 10px;border-radius:3px;background:#1a73e8;color:#fff', creative.callToAction),
    );
    link.append(text);
    box.append(
      link,
      node('span', 'position:absolute;top:0;right:0;padding:1px 5px;font-size:11px;background:#fffc;color:#555', slot.dataset.placardLabel || 'Ad'),
    );
    slot.replaceChildren(box);
    slot.dataset.placardState = 'ad';
    watch(box, impressionUrl);
  };

  const run = (): void => {
    const slots = Array.from(d.querySelectorAll<HTMLElement>('[data-placard-unit]:not([data-placard-state])'));
    if (slots.length === 0) return;
    for (const slot of slots) slot.dataset.placardState = 'loading';
    const token = load(TOKEN_KEY);
    const body = {
      placements: slots.map((slot) => ({ adUnitId: slot.dataset.placardUnit })),
      viewer: { id: viewer },
      page: { url: location.origin + location.pathname },
      ...(token ? { frequencyToken: token } : {}),
    };
    fetch(`${base}/v1/decisions`, { method: 'POST', body: JSON.stringify(body), credentials: 'omit' })
      .then((res) => (res.ok ? res.json() : Promise.reject(new Error(String(res.status)))))
      .then((res: { decisions: Placement[]; frequencyToken?: string }) => {
        if (res.frequencyToken) save(TOKEN_KEY, res.frequencyToken);
        for (const [i, p] of res.decisions.entries()) render(slots[i]!, p);
      })
      .catch(() => {
        for (const slot of slots) empty(slot);
      });
  };

  if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', run);
  else run();
})(document);
