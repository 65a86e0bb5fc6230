// Batch field and curve arithmetic, for the differential tests of field.cuh and curve.cuh.

// out[i] = a[i] op b[i] over Fq (v1 = 0) or Fr (v1 = 1); op v2: 0 add, 1 sub, 2 mul, 3 from_mont.
ZK_KERNEL fe_batch(const KArgs a) {
    const u64* x = (const u64*)a.p[0];
    const u64* y = (const u64*)a.p[1];
    u64* out = (u64*)a.p[2];
    u64 n = a.v[0];
    const Modulus& M = a.v[1] ? FR : FQ;
    for (u64 i = thread_id(); i < n; i += thread_count()) {
        Fe u = fe_load(x + 4 * i), w = fe_load(y + 4 * i), r;
        switch (a.v[2]) {
            case 0: r = fe_add(u, w, M); break;
            case 1: r = fe_sub(u, w, M); break;
            case 2: r = fe_mul(u, w, M); break;
            default: r = fe_from_mont(u, M); break;
        }
        fe_store(out + 4 * i, r);
    }
}

// out[i] (XYZZ, 16 words) = p[i] (XYZZ) op q[i] (affine, 8 words); op v1: 0 p + q (mixed),
// 1 p + lift(q) (general addition), 2 2·p.
ZK_KERNEL g1_batch(const KArgs a) {
    const u64* p = (const u64*)a.p[0];
    const u64* q = (const u64*)a.p[1];
    u64* out = (u64*)a.p[2];
    u64 n = a.v[0];
    for (u64 i = thread_id(); i < n; i += thread_count()) {
        Xyzz u = xyzz_load(p + 16 * i), r;
        Affine w = affine_load(q + 8 * i);
        switch (a.v[1]) {
            case 0: r = xyzz_add_affine(u, w); break;
            case 1: r = xyzz_add(u, xyzz_add_affine(xyzz_infinity(), w)); break;
            default: r = xyzz_dbl(u); break;
        }
        xyzz_store(out + 16 * i, r);
    }
}
