import { z } from 'zod';

/** Money is an integer number of micros: 1 unit of currency = 1 000 000 micros. */
export const MICROS_PER_UNIT = 1_000_000;

/**
 * The largest amount any input may carry and any balance may reach, either way (10^15 micros,
 * a billion units): far inside 2^53, so sums of two of them stay exact in a JavaScript number.
 */
export const MAX_MICROS = 1_000_000_000_000_000;

/** A money amount in a JSON body: integer micros from `min` to MAX_MICROS. */
export const microsInput = (description: string, min = 1) =>
  z
    .number()
    .int()
    .min(min)
    .max(MAX_MICROS)
    .meta({ description: `${description}, in micros (1 unit = 1 000 000 micros; at most ${MAX_MICROS})` });

export interface Money {
  amountMicros: number;
  currency: string;
}

export function isMicros(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/**
 * Splits an amount between owner and platform. The fee is rounded down to the micro and the
 * rest goes to the owner, so the two parts always add up to the amount.
 */
export function splitFee(amountMicros: number, feeBps: number): { feeMicros: number; ownerMicros: number } {
  // BigInt keeps the product exact for amounts whose product with the rate passes 2^53.
  const feeMicros = Number((BigInt(amountMicros) * BigInt(feeBps)) / 10_000n);
  return { feeMicros, ownerMicros: amountMicros - feeMicros };
}
