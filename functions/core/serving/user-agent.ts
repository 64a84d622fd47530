import { UAParser } from 'ua-parser-js';
import { REGIONS } from '../marketplace/catalog.js';
import type { ViewerInput } from './viewer.js';

/**
 * What the serve path can tell about a viewer the caller says nothing about: device and OS from
 * the user agent (ua-parser-js), region from the CDN's viewer-location headers when a CDN is in
 * front (CloudFront: CloudFront-Viewer-Country and -Country-Region). The caller's own values win;
 * these only fill gaps, so targeting works the same either way.
 *
 * Vocabulary (what campaigns target): device `mobile`, `tablet`, `desktop` (or ua-parser's
 * `smarttv`, `console`, `wearable`, `embedded`, `xr`); os `ios`, `android`, `harmonyos`,
 * `windows`, `macos`, `linux`, `chromeos`, else ua-parser's name lower-cased.
 */

export interface ViewerHeaders {
  userAgent?: string;
  /** ISO 3166-1 alpha-2, e.g. CN. */
  country?: string;
  /** The ISO 3166-2 subdivision code without the country, e.g. SH. */
  countryRegion?: string;
}

const OS_NAMES: Readonly<Record<string, string>> = {
  iOS: 'ios',
  Android: 'android',
  HarmonyOS: 'harmonyos',
  Windows: 'windows',
  'Mac OS': 'macos',
  macOS: 'macos',
  Linux: 'linux',
  Ubuntu: 'linux',
  Debian: 'linux',
  Fedora: 'linux',
  'Chromium OS': 'chromeos',
};

/** Regions that are countries of their own in ISO 3166-1 but provinces in the catalog's list. */
const COUNTRY_AS_REGION = new Set(['HK', 'MO', 'TW']);
const KNOWN_REGIONS: ReadonlySet<string> = new Set(REGIONS);

/** Parsing costs ~20 µs; pages send few distinct agents, so answers are kept (bounded). */
const parsed = new Map<string, ViewerInput>();
const MAX_AGENTS = 1000;

export function deviceOf(userAgent: string): Pick<ViewerInput, 'device' | 'os'> {
  let found = parsed.get(userAgent);
  if (found === undefined) {
    const { device, os } = new UAParser(userAgent).getResult();
    const osName = os.name === undefined ? undefined : (OS_NAMES[os.name] ?? os.name.toLowerCase().replaceAll(' ', ''));
    found = { device: device.type ?? 'desktop', ...(osName === undefined ? {} : { os: osName }) };
    if (parsed.size >= MAX_AGENTS) parsed.clear();
    parsed.set(userAgent, found);
  }
  return found;
}

/** The catalog's region (CN-SH, CN-HK, OTHER) for a CDN's country and subdivision, if it says. */
export function regionOf(country: string | undefined, countryRegion: string | undefined): string | undefined {
  if (country === undefined || country === '') return undefined;
  const c = country.toUpperCase();
  if (COUNTRY_AS_REGION.has(c)) return `CN-${c}`;
  if (c !== 'CN') return 'OTHER';
  const region = `CN-${(countryRegion ?? '').toUpperCase()}`;
  return KNOWN_REGIONS.has(region) ? region : undefined;
}

/** The viewer attributes the request's headers give, for the caller's to override. */
export function viewerFromHeaders(h: ViewerHeaders): ViewerInput {
  const region = regionOf(h.country, h.countryRegion);
  return { ...(h.userAgent ? deviceOf(h.userAgent) : {}), ...(region === undefined ? {} : { region }) };
}
