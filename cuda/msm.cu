// Pippenger multi-scalar multiplication over BN254 G1: Σ_i s_i·P_i.
//
// Scalars are split into W windows of c bits (digits d_{w,i} ∈ [0, 2^c)); per window every point
// is added to bucket d, the window sum is Σ_d d·B_d, and the host combines Σ_w 2^{cw}·window_w.
// Phases (one launch each, so no phase needs a barrier):
//   msm_scalars_from_mont  full scalars: Montgomery -> canonical (in place)
//   msm_count              bucket sizes (atomic counters)
//   msm_scan               per window: bucket offsets into the entry array, work-item offsets
//   msm_scatter            entry list sorted by bucket: point index | sign << 31
//   msm_items              cut every bucket into work items of at most K entries
//   msm_acc_items          one thread per item: XYZZ sum of its points (mixed additions)
//   msm_acc_buckets        bucket = sum of its items' partial sums
//   msm_reduce_segments    per (window, segment of S buckets): Σ (d − sS)·B_d and Σ B_d
//   msm_reduce_windows     per window: Σ_d d·B_d from the segments
// Cutting heavy buckets into items keeps the work balanced when digits are skewed (small
// fixed-point values, bits), which a thread-per-bucket accumulation is not.
//
// Sizes passed as scalars: n points, W windows, c bits, B = 2^c buckets per window,
// IMAX = n/K + B item slots per window (an upper bound of Σ_d ⌈count_d/K⌉), K, nseg segments
// per window of S = B/nseg buckets. Counters and indices are u32 (n·W < 2^32, n < 2^31).

// Digit w of a canonical scalar of `limbs` 64-bit limbs.
ZK_DEV u32 msm_digit(const u64* s, u32 limbs, u32 w, u32 c) {
    u32 bit = w * c;
    u32 li = bit >> 6, sh = bit & 63;
    if (li >= limbs) return 0;
    u64 v = s[li] >> sh;
    if (sh + c > 64 && li + 1 < limbs) v |= s[li + 1] << (64 - sh);
    return (u32)(v & ((1ull << c) - 1));
}

// p0 scalars (4 words each, in place), v0 n.
ZK_KERNEL msm_scalars_from_mont(const KArgs a) {
    u64* s = (u64*)a.p[0];
    u64 n = a.v[0];
    for (u64 i = thread_id(); i < n; i += thread_count()) {
        fe_store(s + 4 * i, fe_from_mont(fe_load(s + 4 * i), FR));
    }
}

// p0 scalars, p1 counts (u32, W·B); v0 n, v1 limbs, v2 W, v3 c.
ZK_KERNEL msm_count(const KArgs a) {
    const u64* s = (const u64*)a.p[0];
    u32* count = (u32*)a.p[1];
    u64 n = a.v[0];
    u32 limbs = (u32)a.v[1], W = (u32)a.v[2], c = (u32)a.v[3];
    u64 B = 1ull << c;
    for (u64 i = thread_id(); i < n; i += thread_count()) {
        for (u32 w = 0; w < W; w++) {
            u32 d = msm_digit(s + limbs * i, limbs, w, c);
            if (d) atomic_add_u32(&count[w * B + d], 1);
        }
    }
}

// p0 counts, p1 offsets, p2 cursors, p3 item offsets (all u32, W·B); v0 n, v1 W, v2 c, v3 K,
// v4 IMAX.
ZK_KERNEL msm_scan(const KArgs a) {
    const u32* count = (const u32*)a.p[0];
    u32* off = (u32*)a.p[1];
    u32* cursor = (u32*)a.p[2];
    u32* item_off = (u32*)a.p[3];
    u64 n = a.v[0];
    u32 W = (u32)a.v[1], c = (u32)a.v[2], K = (u32)a.v[3];
    u64 IMAX = a.v[4];
    u64 B = 1ull << c;
    for (u64 w = thread_id(); w < W; w += thread_count()) {
        u32 run = (u32)(w * n);
        u32 items = (u32)(w * IMAX);
        for (u64 d = 0; d < B; d++) {
            u32 cnt = count[w * B + d];
            off[w * B + d] = run;
            cursor[w * B + d] = run;
            item_off[w * B + d] = items;
            run += cnt;
            items += (cnt + K - 1) / K;
        }
    }
}

// p0 scalars, p1 cursors, p2 entries (u32, W·n), p3 signs (u32 per point; absent = all
// positive); v0 n, v1 limbs, v2 W, v3 c.
ZK_KERNEL msm_scatter(const KArgs a) {
    const u64* s = (const u64*)a.p[0];
    u32* cursor = (u32*)a.p[1];
    u32* entries = (u32*)a.p[2];
    const u32* sign = (const u32*)a.p[3];
    u64 n = a.v[0];
    u32 limbs = (u32)a.v[1], W = (u32)a.v[2], c = (u32)a.v[3];
    u64 B = 1ull << c;
    for (u64 i = thread_id(); i < n; i += thread_count()) {
        u32 tag = (u32)i | ((sign && sign[i]) ? 0x80000000u : 0u);
        for (u32 w = 0; w < W; w++) {
            u32 d = msm_digit(s + limbs * i, limbs, w, c);
            if (d) {
                u32 pos = atomic_add_u32(&cursor[w * B + d], 1);
                entries[pos] = tag;
            }
        }
    }
}

// p0 counts, p1 offsets, p2 item offsets, p3 item starts (u32), p4 item lengths (u32);
// v0 W, v1 c, v2 K.
ZK_KERNEL msm_items(const KArgs a) {
    const u32* count = (const u32*)a.p[0];
    const u32* off = (const u32*)a.p[1];
    const u32* item_off = (const u32*)a.p[2];
    u32* item_start = (u32*)a.p[3];
    u32* item_len = (u32*)a.p[4];
    u32 W = (u32)a.v[0], c = (u32)a.v[1], K = (u32)a.v[2];
    u64 B = 1ull << c;
    for (u64 j = thread_id(); j < (u64)W * B; j += thread_count()) {
        if ((j & (B - 1)) == 0) continue;
        u32 cnt = count[j], start = off[j], io = item_off[j];
        for (u32 k = 0; k * K < cnt; k++) {
            item_start[io + k] = start + k * K;
            u32 rest = cnt - k * K;
            item_len[io + k] = rest < K ? rest : K;
        }
    }
}

// p0 bases (affine, 8 words), p1 entries, p2 item starts, p3 item lengths, p4 partials (XYZZ,
// 16 words per item slot); v0 total item slots (W·IMAX).
ZK_KERNEL msm_acc_items(const KArgs a) {
    const u64* bases = (const u64*)a.p[0];
    const u32* entries = (const u32*)a.p[1];
    const u32* item_start = (const u32*)a.p[2];
    const u32* item_len = (const u32*)a.p[3];
    u64* partial = (u64*)a.p[4];
    u64 slots = a.v[0];
    for (u64 j = thread_id(); j < slots; j += thread_count()) {
        u32 len = item_len[j];
        if (len == 0) continue;
        u32 start = item_start[j];
        Xyzz acc = xyzz_infinity();
        for (u32 e = start; e < start + len; e++) {
            u32 tag = entries[e];
            Affine p = affine_load(bases + 8 * (u64)(tag & 0x7fffffffu));
            if (tag >> 31) p = affine_neg(p);
            acc = xyzz_add_affine(acc, p);
        }
        xyzz_store(partial + 16 * j, acc);
    }
}

// p0 counts, p1 item offsets, p2 partials, p3 buckets (XYZZ, W·B); v0 W, v1 c, v2 K.
ZK_KERNEL msm_acc_buckets(const KArgs a) {
    const u32* count = (const u32*)a.p[0];
    const u32* item_off = (const u32*)a.p[1];
    const u64* partial = (const u64*)a.p[2];
    u64* bucket = (u64*)a.p[3];
    u32 W = (u32)a.v[0], c = (u32)a.v[1], K = (u32)a.v[2];
    u64 B = 1ull << c;
    for (u64 j = thread_id(); j < (u64)W * B; j += thread_count()) {
        Xyzz acc = xyzz_infinity();
        if ((j & (B - 1)) != 0) {
            u32 items = (count[j] + K - 1) / K;
            u64 io = item_off[j];
            for (u32 k = 0; k < items; k++) acc = xyzz_add(acc, xyzz_load(partial + 16 * (io + k)));
        }
        xyzz_store(bucket + 16 * j, acc);
    }
}

// p0 buckets, p1 segment weighted sums, p2 segment totals (XYZZ, W·nseg); v0 W, v1 c, v2 nseg.
ZK_KERNEL msm_reduce_segments(const KArgs a) {
    const u64* bucket = (const u64*)a.p[0];
    u64* seg_local = (u64*)a.p[1];
    u64* seg_total = (u64*)a.p[2];
    u32 W = (u32)a.v[0], c = (u32)a.v[1];
    u64 nseg = a.v[2];
    u64 B = 1ull << c, S = B / nseg;
    for (u64 j = thread_id(); j < (u64)W * nseg; j += thread_count()) {
        u64 w = j / nseg, s = j % nseg;
        const u64* base = bucket + 16 * (w * B + s * S);
        Xyzz running = xyzz_infinity(), local = xyzz_infinity();
        // local = Σ_{k ≥ 1} k·B_{sS+k}: add the running sum once per bucket above the first.
        for (u64 k = S - 1; k >= 1; k--) {
            running = xyzz_add(running, xyzz_load(base + 16 * k));
            local = xyzz_add(local, running);
        }
        running = xyzz_add(running, xyzz_load(base));
        xyzz_store(seg_local + 16 * j, local);
        xyzz_store(seg_total + 16 * j, running);
    }
}

// p0 segment weighted sums, p1 segment totals, p2 window sums (XYZZ, W); v0 W, v1 nseg,
// v2 log2(S).
ZK_KERNEL msm_reduce_windows(const KArgs a) {
    const u64* seg_local = (const u64*)a.p[0];
    const u64* seg_total = (const u64*)a.p[1];
    u64* win = (u64*)a.p[2];
    u32 W = (u32)a.v[0];
    u64 nseg = a.v[1];
    u32 log_s = (u32)a.v[2];
    for (u64 w = thread_id(); w < W; w += thread_count()) {
        // Σ_d d·B_d = Σ_s local_s + S·Σ_s s·total_s.
        Xyzz running = xyzz_infinity(), weighted = xyzz_infinity(), sum = xyzz_infinity();
        for (u64 s = nseg - 1; s >= 1; s--) {
            running = xyzz_add(running, xyzz_load(seg_total + 16 * (w * nseg + s)));
            weighted = xyzz_add(weighted, running);
        }
        for (u32 k = 0; k < log_s; k++) weighted = xyzz_dbl(weighted);
        for (u64 s = 0; s < nseg; s++) sum = xyzz_add(sum, xyzz_load(seg_local + 16 * (w * nseg + s)));
        xyzz_store(win + 16 * w, xyzz_add(sum, weighted));
    }
}
