// Sumcheck rounds of product instances Σ_x Π_{j<K} P_j(x), K = 1..5, over Fr (driven by
// crates/gpu/src/sumcheck_rounds.rs). An eq-weighted product eq(τ,x)·Π_{j<k} P_j(x) is the
// product of K = k + 1 factors with the eq table (sc_eq_table) as the last one.
//
// Layout: the K factors of current length m are stored back to back in one buffer, factor j at
// elements [j·m, (j+1)·m). Variables bind low bit first: the pairs of a round are
// (P_j[2i], P_j[2i+1]) = (e_j, o_j), P_j(X) = e_j + X·(o_j − e_j) on the pair, and folding with
// the challenge r is P'_j[i] = e_j + r·(o_j − e_j), out of place (ping-pong buffers).
//
// Round sums, SC_SLOTS field elements per partial sum, summed over the partial's pairs:
//   slot 0: s(0) = Σ Π_j e_j
//   slot 1: s(1) = Σ Π_j o_j           (only when asked: the first round, for the claim)
//   slot 2: s(∞) = Σ Π_j (o_j − e_j)   (the leading coefficient, K ≥ 2)
//   slot 1 + t: s(t) for t = 2..K−1
// The host rebuilds the round polynomial from these and s(1) = claim − s(0).
//
// Reductions: partial t (t < parts, a scalar) sums the pairs i ≡ t (mod parts) and writes its
// slots; threads loop over partials, so the result does not depend on the launch shape.
// sc_reduce folds the partials further on the device; the host adds the last few.

#define SC_SLOTS 6
#define SC_MAX_FACTORS 5

struct ScSums {
    Fe s[SC_SLOTS];
};

ZK_DEV void sc_sums_zero(ScSums& acc) {
    for (int i = 0; i < SC_SLOTS; i++) acc.s[i] = fe_zero();
}

ZK_DEV void sc_sums_store(u64* out, const ScSums& acc) {
    for (int i = 0; i < SC_SLOTS; i++) fe_store(out + 4 * i, acc.s[i]);
}

template <int K>
ZK_DEV Fe sc_prod(const Fe* v) {
    Fe p = v[0];
    for (int j = 1; j < K; j++) p = fe_mul(p, v[j], FR);
    return p;
}

// Add one pair's contribution to the round sums.
template <int K>
ZK_DEV void sc_pair(const Fe* e, const Fe* o, bool with_one, ScSums& acc) {
    acc.s[0] = fe_add(acc.s[0], sc_prod<K>(e), FR);
    if (with_one) acc.s[1] = fe_add(acc.s[1], sc_prod<K>(o), FR);
    if (K >= 2) {
        Fe d[K], v[K];
        for (int j = 0; j < K; j++) {
            d[j] = fe_sub(o[j], e[j], FR);
            v[j] = o[j];
        }
        acc.s[2] = fe_add(acc.s[2], sc_prod<K>(d), FR);
        for (int t = 2; t < K; t++) {
            for (int j = 0; j < K; j++) v[j] = fe_add(v[j], d[j], FR);  // v_j = P_j(t)
            acc.s[1 + t] = fe_add(acc.s[1 + t], sc_prod<K>(v), FR);
        }
    }
}

// p[0]: factors (length m = 2·half each), p[1]: partials (parts × SC_SLOTS elements).
// v[0]: half (pairs), v[1]: K, v[2]: parts, v[3]: non-zero to compute s(1) as well.
template <int K>
ZK_DEV void sc_round_k(const KArgs& a) {
    const u64* src = (const u64*)a.p[0];
    u64* partial = (u64*)a.p[1];
    u64 half = a.v[0], parts = a.v[2];
    bool with_one = a.v[3] != 0;
    u64 m = 2 * half;
    for (u64 t = thread_id(); t < parts; t += thread_count()) {
        ScSums acc;
        sc_sums_zero(acc);
        for (u64 i = t; i < half; i += parts) {
            Fe e[K], o[K];
            for (int j = 0; j < K; j++) {
                const u64* s = src + 4 * (j * m + 2 * i);
                e[j] = fe_load(s);
                o[j] = fe_load(s + 4);
            }
            sc_pair<K>(e, o, with_one, acc);
        }
        sc_sums_store(partial + 4 * SC_SLOTS * t, acc);
    }
}

ZK_KERNEL sc_round(const KArgs a) {
    switch (a.v[1]) {
        case 1: sc_round_k<1>(a); break;
        case 2: sc_round_k<2>(a); break;
        case 3: sc_round_k<3>(a); break;
        case 4: sc_round_k<4>(a); break;
        case 5: sc_round_k<5>(a); break;
        default: break;
    }
}

// Fold with r and evaluate the next round in the same pass. The thread that owns the next
// round's pair i computes and writes both of its folded elements (2i, 2i+1), from the source
// elements 4i..4i+3, so every output is written by exactly one thread.
// p[0]: source factors (length 4·nh each), p[1]: destination (length 2·nh each), p[2]: partials.
// v[0]: nh (pairs of the next round), v[1]: K, v[2]: parts, v[3..7]: r (Montgomery limbs).
template <int K>
ZK_DEV void sc_fold_round_k(const KArgs& a) {
    const u64* src = (const u64*)a.p[0];
    u64* dst = (u64*)a.p[1];
    u64* partial = (u64*)a.p[2];
    u64 nh = a.v[0], parts = a.v[2];
    Fe r = {{a.v[3], a.v[4], a.v[5], a.v[6]}};
    u64 ms = 4 * nh, md = 2 * nh;
    for (u64 t = thread_id(); t < parts; t += thread_count()) {
        ScSums acc;
        sc_sums_zero(acc);
        for (u64 i = t; i < nh; i += parts) {
            Fe e[K], o[K];
            for (int j = 0; j < K; j++) {
                const u64* s = src + 4 * (j * ms + 4 * i);
                Fe a0 = fe_load(s), a1 = fe_load(s + 4), a2 = fe_load(s + 8), a3 = fe_load(s + 12);
                e[j] = fe_add(a0, fe_mul(r, fe_sub(a1, a0, FR), FR), FR);
                o[j] = fe_add(a2, fe_mul(r, fe_sub(a3, a2, FR), FR), FR);
                u64* d = dst + 4 * (j * md + 2 * i);
                fe_store(d, e[j]);
                fe_store(d + 4, o[j]);
            }
            sc_pair<K>(e, o, false, acc);
        }
        sc_sums_store(partial + 4 * SC_SLOTS * t, acc);
    }
}

ZK_KERNEL sc_fold_round(const KArgs a) {
    switch (a.v[1]) {
        case 1: sc_fold_round_k<1>(a); break;
        case 2: sc_fold_round_k<2>(a); break;
        case 3: sc_fold_round_k<3>(a); break;
        case 4: sc_fold_round_k<4>(a); break;
        case 5: sc_fold_round_k<5>(a); break;
        default: break;
    }
}

// Fold only (the last round, or when no evaluation is wanted).
// p[0]: source (length 2·len each), p[1]: destination (length len each).
// v[0]: len, v[1]: K, v[2..6]: r.
ZK_KERNEL sc_fold(const KArgs a) {
    const u64* src = (const u64*)a.p[0];
    u64* dst = (u64*)a.p[1];
    u64 len = a.v[0], k = a.v[1];
    Fe r = {{a.v[2], a.v[3], a.v[4], a.v[5]}};
    u64 total = k * len;
    for (u64 idx = thread_id(); idx < total; idx += thread_count()) {
        u64 j = idx / len, i = idx - j * len;
        const u64* s = src + 4 * (j * 2 * len + 2 * i);
        Fe e = fe_load(s), o = fe_load(s + 4);
        fe_store(dst + 4 * idx, fe_add(e, fe_mul(r, fe_sub(o, e, FR), FR), FR));
    }
}

// out[u·SC_SLOTS + s] = Σ_{t < parts, t ≡ u (mod parts2)} in[t·SC_SLOTS + s], for u < parts2.
// p[0]: in, p[1]: out. v[0]: parts, v[1]: parts2.
ZK_KERNEL sc_reduce(const KArgs a) {
    const u64* in = (const u64*)a.p[0];
    u64* out = (u64*)a.p[1];
    u64 parts = a.v[0], parts2 = a.v[1];
    for (u64 w = thread_id(); w < parts2 * SC_SLOTS; w += thread_count()) {
        u64 u = w / SC_SLOTS, s = w - u * SC_SLOTS;
        Fe acc = fe_zero();
        for (u64 t = u; t < parts; t += parts2) acc = fe_add(acc, fe_load(in + 4 * (t * SC_SLOTS + s)), FR);
        fe_store(out + 4 * w, acc);
    }
}

// dst[off + x] = lo[x mod 2^b] · hi[x >> b] for x < n: the eq table eq(τ, x) from the tables of
// τ's b low coordinates (lo) and of the others (hi), since eq(τ, x) factors over coordinates.
// p[0]: lo, p[1]: hi, p[2]: dst. v[0]: n, v[1]: b, v[2]: off (elements).
ZK_KERNEL sc_eq_table(const KArgs a) {
    const u64* lo = (const u64*)a.p[0];
    const u64* hi = (const u64*)a.p[1];
    u64* dst = (u64*)a.p[2];
    u64 n = a.v[0], b = a.v[1], off = a.v[2];
    u64 mask = (((u64)1) << b) - 1;
    for (u64 x = thread_id(); x < n; x += thread_count()) {
        Fe l = fe_load(lo + 4 * (x & mask)), h = fe_load(hi + 4 * (x >> b));
        fe_store(dst + 4 * (off + x), fe_mul(l, h, FR));
    }
}
