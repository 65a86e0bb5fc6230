// BN254 base field Fq and scalar field Fr in Montgomery form, exactly arkworks' representation:
// four little-endian 64-bit limbs of `a·2^256 mod m`. Data moves between arkworks and the device
// as raw limbs, without conversion.
//
// Multiplication is CIOS Montgomery (Koç et al.), one reduction step per limb of `b`; both moduli
// are below 2^254, so intermediate values fit five limbs and one conditional subtraction reduces.

struct Fe {
    u64 l[4];
};

struct Modulus {
    u64 m[4];
    u64 inv;   // -m^{-1} mod 2^64
    u64 one[4];  // 2^256 mod m (Montgomery one)
};

#ifdef ZK_HOST
static const Modulus FQ = {
#else
__constant__ Modulus FQ = {
#endif
    {0x3c208c16d87cfd47ull, 0x97816a916871ca8dull, 0xb85045b68181585dull, 0x30644e72e131a029ull},
    0x87d20782e4866389ull,
    {0xd35d438dc58f0d9dull, 0x0a78eb28f5c70b3dull, 0x666ea36f7879462cull, 0x0e0a77c19a07df2full}};

#ifdef ZK_HOST
static const Modulus FR = {
#else
__constant__ Modulus FR = {
#endif
    {0x43e1f593f0000001ull, 0x2833e84879b97091ull, 0xb85045b68181585dull, 0x30644e72e131a029ull},
    0xc2e1f593efffffffull,
    {0xac96341c4ffffffbull, 0x36fc76959f60cd29ull, 0x666ea36f7879462eull, 0x0e0a77c19a07df2full}};

ZK_DEV Fe fe_zero() {
    Fe r = {{0, 0, 0, 0}};
    return r;
}

ZK_DEV Fe fe_one(const Modulus& M) {
    Fe r = {{M.one[0], M.one[1], M.one[2], M.one[3]}};
    return r;
}

ZK_DEV bool fe_is_zero(const Fe& a) {
    return (a.l[0] | a.l[1] | a.l[2] | a.l[3]) == 0;
}

ZK_DEV bool fe_eq(const Fe& a, const Fe& b) {
    return ((a.l[0] ^ b.l[0]) | (a.l[1] ^ b.l[1]) | (a.l[2] ^ b.l[2]) | (a.l[3] ^ b.l[3])) == 0;
}

// a + b + carry_in, carry out in *carry (0 or 1).
ZK_DEV u64 adc(u64 a, u64 b, u64* carry) {
    u64 s = a + b;
    u64 c1 = s < a;
    u64 t = s + *carry;
    u64 c2 = t < s;
    *carry = c1 | c2;
    return t;
}

// a - b - borrow_in, borrow out in *borrow (0 or 1).
ZK_DEV u64 sbb(u64 a, u64 b, u64* borrow) {
    u64 d = a - b;
    u64 b1 = a < b;
    u64 t = d - *borrow;
    u64 b2 = d < *borrow;
    *borrow = b1 | b2;
    return t;
}

// (hi, lo) = a*b + c + d; never overflows 128 bits.
ZK_DEV u64 mac(u64 a, u64 b, u64 c, u64 d, u64* hi) {
    u64 lo = a * b;
    u64 h = mulhi64(a, b);
    lo += c;
    h += lo < c;
    lo += d;
    h += lo < d;
    *hi = h;
    return lo;
}

// r = r - m if r >= m.
ZK_DEV Fe fe_reduce_once(const Fe& r, const Modulus& M) {
    u64 br = 0;
    Fe s;
    s.l[0] = sbb(r.l[0], M.m[0], &br);
    s.l[1] = sbb(r.l[1], M.m[1], &br);
    s.l[2] = sbb(r.l[2], M.m[2], &br);
    s.l[3] = sbb(r.l[3], M.m[3], &br);
    return br ? r : s;
}

ZK_DEV Fe fe_add(const Fe& a, const Fe& b, const Modulus& M) {
    u64 c = 0;
    Fe r;
    r.l[0] = adc(a.l[0], b.l[0], &c);
    r.l[1] = adc(a.l[1], b.l[1], &c);
    r.l[2] = adc(a.l[2], b.l[2], &c);
    r.l[3] = adc(a.l[3], b.l[3], &c);
    // m < 2^254, so a + b < 2^255 never carries out of four limbs.
    return fe_reduce_once(r, M);
}

ZK_DEV Fe fe_sub(const Fe& a, const Fe& b, const Modulus& M) {
    u64 br = 0;
    Fe r;
    r.l[0] = sbb(a.l[0], b.l[0], &br);
    r.l[1] = sbb(a.l[1], b.l[1], &br);
    r.l[2] = sbb(a.l[2], b.l[2], &br);
    r.l[3] = sbb(a.l[3], b.l[3], &br);
    if (br) {
        u64 c = 0;
        r.l[0] = adc(r.l[0], M.m[0], &c);
        r.l[1] = adc(r.l[1], M.m[1], &c);
        r.l[2] = adc(r.l[2], M.m[2], &c);
        r.l[3] = adc(r.l[3], M.m[3], &c);
    }
    return r;
}

ZK_DEV Fe fe_neg(const Fe& a, const Modulus& M) {
    return fe_sub(fe_zero(), a, M);
}

ZK_DEV Fe fe_dbl(const Fe& a, const Modulus& M) {
    return fe_add(a, a, M);
}

// Montgomery product a·b·2^-256 mod m (CIOS).
ZK_DEV Fe fe_mul(const Fe& a, const Fe& b, const Modulus& M) {
    u64 t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
    for (int i = 0; i < 4; i++) {
        u64 bi = b.l[i];
        u64 c;
        t0 = mac(a.l[0], bi, t0, 0, &c);
        t1 = mac(a.l[1], bi, t1, c, &c);
        t2 = mac(a.l[2], bi, t2, c, &c);
        t3 = mac(a.l[3], bi, t3, c, &c);
        u64 cc = 0;
        t4 = adc(t4, c, &cc);
        u64 t5 = cc;
        u64 m = t0 * M.inv;
        u64 d;
        mac(m, M.m[0], t0, 0, &d);
        t0 = mac(m, M.m[1], t1, d, &d);
        t1 = mac(m, M.m[2], t2, d, &d);
        t2 = mac(m, M.m[3], t3, d, &d);
        cc = 0;
        t3 = adc(t4, d, &cc);
        t4 = t5 + cc;
    }
    Fe r = {{t0, t1, t2, t3}};
    return fe_reduce_once(r, M);
}

ZK_DEV Fe fe_sqr(const Fe& a, const Modulus& M) {
    return fe_mul(a, a, M);
}

// Montgomery form -> canonical integer (multiply by the integer 1).
ZK_DEV Fe fe_from_mont(const Fe& a, const Modulus& M) {
    Fe one = {{1, 0, 0, 0}};
    return fe_mul(a, one, M);
}

ZK_DEV Fe fe_load(const u64* p) {
    Fe r = {{p[0], p[1], p[2], p[3]}};
    return r;
}

ZK_DEV void fe_store(u64* p, const Fe& a) {
    p[0] = a.l[0];
    p[1] = a.l[1];
    p[2] = a.l[2];
    p[3] = a.l[3];
}
