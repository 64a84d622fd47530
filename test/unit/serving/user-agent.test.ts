import { describe, expect, it } from 'vitest';
import { regionOf, viewerFromHeaders } from '../../../functions/core/serving/user-agent.js';

describe('viewerFromHeaders', () => {
  it('reads device and OS from common user agents, in the targeting vocabulary', () => {
    const cases: [string, { device: string; os: string }][] = [
      [
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40(0x18002831) NetType/WIFI Language/zh_CN',
        { device: 'mobile', os: 'ios' },
      ],
      [
        'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36',
        { device: 'mobile', os: 'android' },
      ],
      [
        'Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
        { device: 'tablet', os: 'ios' },
      ],
      ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36', { device: 'desktop', os: 'windows' }],
      [
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15',
        { device: 'desktop', os: 'macos' },
      ],
    ];
    for (const [userAgent, expected] of cases) expect(viewerFromHeaders({ userAgent })).toEqual(expected);
  });

  it('says nothing it does not know', () => {
    expect(viewerFromHeaders({})).toEqual({});
    expect(viewerFromHeaders({ userAgent: 'curl/8.5.0' })).toEqual({ device: 'desktop' });
  });
});

describe('regionOf', () => {
  it('maps CloudFront’s country and subdivision to the catalog’s regions', () => {
    expect(regionOf('CN', 'SH')).toBe('CN-SH');
    expect(regionOf('cn', 'gd')).toBe('CN-GD');
    expect(regionOf('HK', undefined)).toBe('CN-HK');
    expect(regionOf('US', 'CA')).toBe('OTHER');
    expect(regionOf('CN', undefined)).toBeUndefined();
    expect(regionOf('CN', 'ZZ')).toBeUndefined();
    expect(regionOf(undefined, 'SH')).toBeUndefined();
  });
});
