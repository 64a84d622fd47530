/** A growable Int32Array. */
export class IntList {
  a: Int32Array;
  n = 0;
  constructor(capacity = 1024) {
    this.a = new Int32Array(capacity);
  }
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
}

/**
 * Open-addressing (lo, hi) → id table; ids are dense from 0. Pair keys are (key, key) entries;
 * a triple (x < y < z) is the entry (-1 - id of its prefix pair (x, y), z).
 */
export class PairTable {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly id: Int32Array;
  readonly mask: number;
  size = 0;
  constructor(capacity: number) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.lo = new Int32Array(n);
    this.hi = new Int32Array(n);
    this.id = new Int32Array(n).fill(-1);
    this.mask = n - 1;
  }
  get(lo: number, hi: number): number {
    let h = pairHash(lo, hi) & this.mask;
    for (;;) {
      const id = this.id[h] as number;
      if (id < 0 || (this.lo[h] === lo && this.hi[h] === hi)) return id;
      h = (h + 1) & this.mask;
    }
  }
  intern(lo: number, hi: number): number {
    let h = pairHash(lo, hi) & this.mask;
    for (;;) {
      const id = this.id[h] as number;
      if (id < 0) {
        this.lo[h] = lo;
        this.hi[h] = hi;
        this.id[h] = this.size;
        return this.size++;
      }
      if (this.lo[h] === lo && this.hi[h] === hi) return id;
      h = (h + 1) & this.mask;
    }
  }
  get byteLength(): number {
    return this.lo.byteLength * 3;
  }
}

function pairHash(lo: number, hi: number): number {
  let h = Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi + 0x7f4a7c15, 0x85ebca6b);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) >>> 7;
}
