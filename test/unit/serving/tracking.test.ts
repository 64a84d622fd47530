import { describe, expect, it } from 'vitest';
import { signToken, trackingTokens, verifyToken } from '../../../functions/core/serving/tracking.js';
import type { TrackingPayload } from '../../../functions/core/serving/tracking.js';

const secret = 'test-secret-0123456789abcdef';
const now = new Date('2025-03-10T05:30:00Z');
const payload: TrackingPayload = {
  decisionId: 'dec_01jq0000000000000000000000',
  event: 'i',
  campaignId: 'cmp_01jq0000000000000000000000',
  adUnitId: 'unit_01jq0000000000000000000000',
  chargeMicros: 5_001,
  exp: Date.parse('2025-03-10T06:30:00Z') / 1000,
  decidedAt: Date.parse('2025-03-10T05:29:59Z'),
  fingerprint: 'fp-of-the-decision',
};

describe('tracking tokens', () => {
  it('round-trips a payload', () => {
    const token = signToken(payload, secret);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(token.length).toBeLessThan(260); // the decision time and the source fingerprint take ~40
    expect(verifyToken(token, secret, now)).toEqual({ ok: true, payload });
  });

  it('rejects a token signed with another secret as forged', () => {
    expect(verifyToken(signToken(payload, 'other-secret'), secret, now)).toEqual({ ok: false, reason: 'forged' });
  });

  it('rejects a tampered payload as forged', () => {
    const [, sig] = signToken(payload, secret).split('.');
    const richer = Buffer.from(
      JSON.stringify([2, payload.decisionId, 'i', payload.campaignId, payload.adUnitId, 9_999_999, payload.exp, payload.decidedAt, payload.fingerprint]),
    ).toString('base64url');
    expect(verifyToken(`${richer}.${sig}`, secret, now)).toEqual({ ok: false, reason: 'forged' });
  });

  it('rejects a tampered signature as forged', () => {
    const token = signToken(payload, secret);
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    expect(verifyToken(`${token.slice(0, -2)}${last}${token.at(-1)}`, secret, now)).toEqual({ ok: false, reason: 'forged' });
  });

  it('rejects an expired token, but only once its signature checks out', () => {
    const token = signToken(payload, secret);
    expect(verifyToken(token, secret, new Date(payload.exp * 1000))).toEqual({ ok: false, reason: 'expired' });
    expect(verifyToken(token, 'other-secret', new Date(payload.exp * 1000))).toEqual({ ok: false, reason: 'forged' });
  });

  it('rejects garbage as malformed', () => {
    for (const bad of ['', 'abc', 'a.b.c', '.abc', 'abc.', 'ab$c.def', `${signToken(payload, secret).split('.')[0]}.AAAA`]) {
      expect(verifyToken(bad, secret, now)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('verifies with any of several secrets during a key rotation', () => {
    const token = signToken(payload, 'old-secret');
    expect(verifyToken(token, ['new-secret', 'old-secret'], now).ok).toBe(true);
  });

  it('puts the charge on the billed event only', () => {
    const exp = new Date(payload.exp * 1000);
    const cpc = trackingTokens(
      {
        decisionId: 'dec_1',
        campaignId: 'cmp_1',
        adUnitId: 'unit_1',
        chargeMicros: 300_001,
        chargeEvent: 'click',
        decidedAt: now.getTime(),
        fingerprint: 'fp',
      },
      secret,
      exp,
    );
    const click = verifyToken(cpc.click, secret, now);
    const impression = verifyToken(cpc.impression, secret, now);
    expect(click.ok && click.payload).toMatchObject({ event: 'c', chargeMicros: 300_001 });
    expect(impression.ok && impression.payload).toMatchObject({ event: 'i', chargeMicros: 0 });
  });
});
