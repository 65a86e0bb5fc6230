// Radix-2 NTT over Fr (decimation in time), driven by crates/gpu/src/ntt.rs.
//
// A transform of n = 2^L elements (4 words each, Montgomery form) is, in place:
//   1. ntt_bitrev: permute to bit-reversed order;
//   2. L butterfly layers, in launches of ntt_stage (one layer) or ntt_stage2/3/4 (that many
//      consecutive layers, in registers); the layer with half width h maps a[i], a[i+h] (bit
//      log h of i zero) to a[i] ± ω^{(i mod h)·n/(2h)}·a[i+h], reading the powers from a table
//      tw[j] = ω^j, j < n/2 (ω^{-1} for the inverse);
//   3. for the inverse, ntt_scale by n^{-1}.
// Every element is read and written by exactly one thread per launch; dependent layers that
// cross groups are separate launches.

// The low `bits` bits of i reversed (1 <= bits <= 64).
ZK_DEV u64 ntt_rev(u64 i, u64 bits) {
#ifdef ZK_HOST
    u64 r = 0;
    for (u64 b = 0; b < bits; b++) {
        r = (r << 1) | ((i >> b) & 1);
    }
    return r;
#else
    return __brevll(i) >> (64 - bits);
#endif
}

// In-place bit-reversal permutation. p[0]: data (4n words); v[0]: n, v[1]: L = log2 n.
// Thread i swaps elements i and rev(i) when i < rev(i), so each pair has one owner.
ZK_KERNEL ntt_bitrev(const KArgs a) {
    u64* d = (u64*)a.p[0];
    u64 n = a.v[0], log_n = a.v[1];
    if (log_n == 0) {
        return;
    }
    for (u64 i = thread_id(); i < n; i += thread_count()) {
        u64 r = ntt_rev(i, log_n);
        if (i < r) {
            Fe x = fe_load(d + 4 * i), y = fe_load(d + 4 * r);
            fe_store(d + 4 * i, y);
            fe_store(d + 4 * r, x);
        }
    }
}

// K consecutive layers with half widths h = 2^s, 2h, ..., 2^{K-1}h on the group of 2^K elements
// base + m·h (m < 2^K) that they mix, in registers. Group g has base = (g >> s) << (s + K) | (g mod h),
// so consecutive groups are consecutive elements (coalesced) once h >= 32.
template <int K>
ZK_DEV void ntt_group(u64* d, const u64* tw, u64 g, u64 log_n, u64 s) {
    const u64 lo = g & ((1ull << s) - 1);
    const u64 base = ((g >> s) << (s + K)) | lo;
    Fe x[1 << K];
#pragma unroll
    for (int m = 0; m < (1 << K); m++) {
        x[m] = fe_load(d + 4 * (base + ((u64)m << s)));
    }
#pragma unroll
    for (int t = 0; t < K; t++) {
        // Layer half width 2^{s+t}; twiddle exponent (i mod 2^{s+t})·n/2^{s+t+1}.
        const u64 shift = log_n - 1 - s - t;
#pragma unroll
        for (int j = 0; j < (1 << (K - 1)); j++) {
            const int low = j & ((1 << t) - 1);
            const int m = ((j >> t) << (t + 1)) | low;
            const u64 e = (lo + ((u64)low << s)) << shift;
            const Fe v = fe_mul(x[m + (1 << t)], fe_load(tw + 4 * e), FR);
            x[m + (1 << t)] = fe_sub(x[m], v, FR);
            x[m] = fe_add(x[m], v, FR);
        }
    }
#pragma unroll
    for (int m = 0; m < (1 << K); m++) {
        fe_store(d + 4 * (base + ((u64)m << s)), x[m]);
    }
}

// Layers s, ..., s+K-1 of the transform (s + K <= L) over n / 2^K groups: the body of the
// ntt_stage kernels. p[0]: data (4n words), p[1]: twiddles (4·n/2 words); v[0]: n, v[1]: L,
// v[2]: s.
template <int K>
ZK_DEV void ntt_layers(const KArgs& a) {
    u64* d = (u64*)a.p[0];
    const u64* tw = (const u64*)a.p[1];
    u64 n = a.v[0], log_n = a.v[1], s = a.v[2];
    if (s + K > log_n) {
        return;
    }
    u64 groups = n >> K;
    for (u64 g = thread_id(); g < groups; g += thread_count()) {
        ntt_group<K>(d, tw, g, log_n, s);
    }
}

// One plain butterfly layer (arguments as ntt_layers); ntt_stage2/3/4 fuse 2, 3, 4 consecutive
// layers. Separate kernels, so that each gets the registers its width needs (8·2^K for the
// values): one kernel switching on K would run every width at the register count of the widest.
ZK_KERNEL ntt_stage(const KArgs a) { ntt_layers<1>(a); }
ZK_KERNEL ntt_stage2(const KArgs a) { ntt_layers<2>(a); }
ZK_KERNEL ntt_stage3(const KArgs a) { ntt_layers<3>(a); }
ZK_KERNEL ntt_stage4(const KArgs a) { ntt_layers<4>(a); }

// d[i] *= c over Fr. p[0]: data (4n words); v[0]: n, v[1..5]: c (Montgomery limbs).
ZK_KERNEL ntt_scale(const KArgs a) {
    u64* d = (u64*)a.p[0];
    u64 n = a.v[0];
    Fe c = {{a.v[1], a.v[2], a.v[3], a.v[4]}};
    for (u64 i = thread_id(); i < n; i += thread_count()) {
        fe_store(d + 4 * i, fe_mul(fe_load(d + 4 * i), c, FR));
    }
}
