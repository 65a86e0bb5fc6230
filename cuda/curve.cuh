// BN254 G1 (y^2 = x^3 + 3 over Fq) in extended Jacobian "XYZZ" coordinates:
// (X, Y, ZZ, ZZZ) represents (X/ZZ, Y/ZZZ) with ZZ^3 = ZZZ^2; ZZ = 0 is the point at infinity.
// Formulas: add-2008-s, madd-2008-s, dbl-2008-s-1 (hyperelliptic.org EFD, a = 0).
// Affine inputs are arkworks' (x, y) limbs; (0, 0) encodes infinity (it is not on the curve).

struct Affine {
    Fe x, y;
};

struct Xyzz {
    Fe x, y, zz, zzz;
};

ZK_DEV Xyzz xyzz_infinity() {
    Xyzz r;
    r.x = fe_zero();
    r.y = fe_zero();
    r.zz = fe_zero();
    r.zzz = fe_zero();
    return r;
}

ZK_DEV bool xyzz_is_infinity(const Xyzz& p) {
    return fe_is_zero(p.zz);
}

ZK_DEV bool affine_is_infinity(const Affine& a) {
    return fe_is_zero(a.x) && fe_is_zero(a.y);
}

ZK_DEV Affine affine_load(const u64* p) {
    Affine a;
    a.x = fe_load(p);
    a.y = fe_load(p + 4);
    return a;
}

ZK_DEV Affine affine_neg(const Affine& a) {
    Affine r;
    r.x = a.x;
    r.y = fe_is_zero(a.y) ? a.y : fe_neg(a.y, FQ);
    return r;
}

ZK_DEV Xyzz xyzz_load(const u64* p) {
    Xyzz r;
    r.x = fe_load(p);
    r.y = fe_load(p + 4);
    r.zz = fe_load(p + 8);
    r.zzz = fe_load(p + 12);
    return r;
}

ZK_DEV void xyzz_store(u64* p, const Xyzz& a) {
    fe_store(p, a.x);
    fe_store(p + 4, a.y);
    fe_store(p + 8, a.zz);
    fe_store(p + 12, a.zzz);
}

// 2·P (dbl-2008-s-1).
ZK_DEV Xyzz xyzz_dbl(const Xyzz& p) {
    if (xyzz_is_infinity(p)) return p;
    Fe u = fe_dbl(p.y, FQ);
    Fe v = fe_sqr(u, FQ);
    Fe w = fe_mul(u, v, FQ);
    Fe s = fe_mul(p.x, v, FQ);
    Fe x2 = fe_sqr(p.x, FQ);
    Fe m = fe_add(fe_dbl(x2, FQ), x2, FQ);
    Xyzz r;
    r.x = fe_sub(fe_sqr(m, FQ), fe_dbl(s, FQ), FQ);
    r.y = fe_sub(fe_mul(m, fe_sub(s, r.x, FQ), FQ), fe_mul(w, p.y, FQ), FQ);
    r.zz = fe_mul(v, p.zz, FQ);
    r.zzz = fe_mul(w, p.zzz, FQ);
    return r;
}

// 2·(x, y) for an affine point: the XYZZ doubling with ZZ = ZZZ = 1 (a rare case of the mixed
// addition, so the two multiplications mdbl-2008-s-1 saves do not matter).
ZK_DEV Xyzz affine_dbl(const Affine& a) {
    Xyzz p;
    p.x = a.x;
    p.y = a.y;
    p.zz = fe_one(FQ);
    p.zzz = fe_one(FQ);
    return xyzz_dbl(p);
}

// P + Q for affine Q (madd-2008-s), all special cases handled.
ZK_DEV Xyzz xyzz_add_affine(const Xyzz& p, const Affine& q) {
    if (affine_is_infinity(q)) return p;
    if (xyzz_is_infinity(p)) {
        Xyzz r;
        r.x = q.x;
        r.y = q.y;
        r.zz = fe_one(FQ);
        r.zzz = fe_one(FQ);
        return r;
    }
    Fe u2 = fe_mul(q.x, p.zz, FQ);
    Fe s2 = fe_mul(q.y, p.zzz, FQ);
    Fe pp_ = fe_sub(u2, p.x, FQ);
    Fe rr = fe_sub(s2, p.y, FQ);
    if (fe_is_zero(pp_)) {
        if (fe_is_zero(rr)) return affine_dbl(q);
        return xyzz_infinity();
    }
    Fe pp = fe_sqr(pp_, FQ);
    Fe ppp = fe_mul(pp_, pp, FQ);
    Fe q_ = fe_mul(p.x, pp, FQ);
    Xyzz r;
    r.x = fe_sub(fe_sub(fe_sqr(rr, FQ), ppp, FQ), fe_dbl(q_, FQ), FQ);
    r.y = fe_sub(fe_mul(rr, fe_sub(q_, r.x, FQ), FQ), fe_mul(p.y, ppp, FQ), FQ);
    r.zz = fe_mul(p.zz, pp, FQ);
    r.zzz = fe_mul(p.zzz, ppp, FQ);
    return r;
}

// P + Q (add-2008-s), all special cases handled.
ZK_DEV Xyzz xyzz_add(const Xyzz& p, const Xyzz& q) {
    if (xyzz_is_infinity(q)) return p;
    if (xyzz_is_infinity(p)) return q;
    Fe u1 = fe_mul(p.x, q.zz, FQ);
    Fe u2 = fe_mul(q.x, p.zz, FQ);
    Fe s1 = fe_mul(p.y, q.zzz, FQ);
    Fe s2 = fe_mul(q.y, p.zzz, FQ);
    Fe pp_ = fe_sub(u2, u1, FQ);
    Fe rr = fe_sub(s2, s1, FQ);
    if (fe_is_zero(pp_)) {
        if (fe_is_zero(rr)) return xyzz_dbl(p);
        return xyzz_infinity();
    }
    Fe pp = fe_sqr(pp_, FQ);
    Fe ppp = fe_mul(pp_, pp, FQ);
    Fe q_ = fe_mul(u1, pp, FQ);
    Xyzz r;
    r.x = fe_sub(fe_sub(fe_sqr(rr, FQ), ppp, FQ), fe_dbl(q_, FQ), FQ);
    r.y = fe_sub(fe_mul(rr, fe_sub(q_, r.x, FQ), FQ), fe_mul(s1, ppp, FQ), FQ);
    r.zz = fe_mul(fe_mul(p.zz, q.zz, FQ), pp, FQ);
    r.zzz = fe_mul(fe_mul(p.zzz, q.zzz, FQ), ppp, FQ);
    return r;
}
