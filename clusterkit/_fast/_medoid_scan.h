/* The FastPAM1 inner loop over all objects for one candidate (used by _medoid_state.pyx).
 *
 * ck_deltas_d / ck_deltas_f(row, dsu, n, k, rl, near, dn, ds, w, lanes) return ``acc`` and
 * leave in lanes[0 .. k-1] the ``delta`` of _candidate_deltas: delta[i] + acc is the change
 * of the loss when the candidate (distances ``row``) replaces the medoid of slot i.
 * ``lanes`` is scratch of 4 k doubles.
 *
 * Only objects with row[o] < ds[o] contribute. They are found with ``dsu``, float32 upper
 * bounds of ds (dsu[o] is the least float32 >= ds[o]): an object with row[o] < dsu[o] is
 * listed, and one listed with ds[o] <= row[o] (possible only when ds[o] is not a float32
 * value) adds exactly zero, a hit clamping the candidate's distance to ds[o]. With a float32
 * D, dsu is ds itself. The bounds take 4 bytes per object, so that all of them (20 KB at
 * n = 5000) stay in the 32 KB L1 cache while the row streams past: compared with the exact
 * float64 ds, whose 40 KB went to L2 and back for every candidate, a list pass over the
 * MNIST matrix (5000 x 5000) takes 9.5 ms instead of 12.5 ms (D.sum(): 7-9 ms), and
 * FasterPAM is 8% faster at k = 100 and 200. Per block of 256 objects:
 *   1. the contributing objects are listed without a branch: a chunk of 8 comparisons
 *      gives an 8-bit mask (SSE2 compares and movemask on x86-64), and a table of the set
 *      bits' positions is stored whole, the list growing by the mask's bit count;
 *   2. the list is processed in groups of 4, hit t adding into partial sums number t % 4
 *      (acc and the slots' deltas), so that consecutive hits do not wait for each other's
 *      additions (a chain of dependent floating-point additions through one accumulator
 *      cost about 8 ns per hit). A hit has no branch either: min and max select, so
 *      that whether the candidate is nearer than the nearest medoid, which varies from
 *      hit to hit, is never predicted (a branch there cost 30% of FasterPAM at k = 10).
 * The partial sums are added at the end in a fixed order, ((0 + 1) + (2 + 3)). The result
 * depends only on the data (never on the platform's vector width or the thread count):
 * the scalar build lists the same objects in the same order.
 */
#ifndef CK_MEDOID_SCAN_H
#define CK_MEDOID_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#include <emmintrin.h>
#include <xmmintrin.h>
#define CK_SCAN_SSE2 1
/* the row is read ahead by software prefetch, this many bytes: the hardware prefetcher
   stops at 4 KiB page boundaries, and a row of D spans many (2 KiB: 15-18% faster
   FasterPAM on MNIST than none; 0.5-8 KiB measured) */
#define CK_PREFETCH_BYTES 2048
#else
#define CK_SCAN_SSE2 0
#endif

/* a < b ? a : b, without a branch (with a constant b, GCC 12 branches on the ternary;
   MINSD is exactly the ternary, NaN included) */
static inline double ck_min(double a, double b) {
#if CK_SCAN_SSE2
    return _mm_cvtsd_f64(_mm_min_sd(_mm_set_sd(a), _mm_set_sd(b)));
#else
    return a < b ? a : b;
#endif
}

/* ck_bitpos[mask]: the positions of mask's set bits, in increasing order, one per byte
   (bytes past the count are 0); ck_bitcount[mask]: their number. Filled by
   ck_scan_init() at import. */
static uint64_t ck_bitpos[256];
static unsigned char ck_bitcount[256];

static void ck_scan_init(void) {
    int mask, b, c;
    for (mask = 0; mask < 256; mask++) {
        uint64_t pos = 0;
        c = 0;
        for (b = 0; b < 8; b++)
            if (mask >> b & 1) {
                pos |= (uint64_t)b << (8 * c);
                c++;
            }
        ck_bitpos[mask] = pos;
        ck_bitcount[mask] = (unsigned char)c;
    }
}

/* append the offsets (base + position, base <= 248) of mask's bits to idx at m */
static inline ptrdiff_t ck_push(unsigned char* idx, ptrdiff_t m, int mask, int base) {
    uint64_t v = ck_bitpos[mask] + (uint64_t)base * 0x0101010101010101ULL;
    memcpy(idx + m, &v, 8);
    return m + ck_bitcount[mask];
}

#define CK_HIT(L, off) do {                                                                \
    ptrdiff_t o_ = start + (off);                                                          \
    double doc_ = (double)row[o_], a_ = dn[o_], w_ = w[o_];                                \
    /* min(t_, 0): t_ < 0 is doc_ < a_, and false for a NaN, so that a NaN dn spoils     \
       only its own slot */                                                                \
    double t_ = doc_ - a_, b_ = ds[o_], m_ = doc_ > a_ ? doc_ : a_;                        \
    acc##L += w_ * ck_min(t_, 0.0);                                                        \
    lanes[L * k + near[o_]] += w_ * ((m_ < b_ ? m_ : b_) - b_);                            \
} while (0)

#define CK_DELTAS(NAME, T, LIST)                                                           \
static double NAME(const T* row, const float* dsu, ptrdiff_t n, ptrdiff_t k,              \
                   const double* rl, const ptrdiff_t* near, const double* dn,              \
                   const double* ds, const double* w, double* lanes) {                     \
    /* 8 bytes of slack: ck_push stores 8 offsets whatever the count */                    \
    unsigned char idx[256 + 8];                                                            \
    double acc0 = 0.0, acc1 = 0.0, acc2 = 0.0, acc3 = 0.0;                                 \
    ptrdiff_t start, end, i, t, m;                                                         \
    for (i = 0; i < 4 * k; i++)                                                            \
        lanes[i] = 0.0;                                                                    \
    for (start = 0; start < n; start = end) {                                              \
        end = start + 256 < n ? start + 256 : n;                                           \
        m = LIST(row, dsu, start, end, idx);                                               \
        for (t = 0; t + 4 <= m; t += 4) {                                                  \
            CK_HIT(0, idx[t]);                                                             \
            CK_HIT(1, idx[t + 1]);                                                         \
            CK_HIT(2, idx[t + 2]);                                                         \
            CK_HIT(3, idx[t + 3]);                                                         \
        }                                                                                  \
        if (t < m) CK_HIT(0, idx[t]);                                                      \
        if (t + 1 < m) CK_HIT(1, idx[t + 1]);                                              \
        if (t + 2 < m) CK_HIT(2, idx[t + 2]);                                              \
    }                                                                                      \
    for (i = 0; i < k; i++)                                                                \
        lanes[i] = rl[i] + ((lanes[i] + lanes[k + i]) + (lanes[2 * k + i] + lanes[3 * k + i])); \
    return (acc0 + acc1) + (acc2 + acc3);                                                  \
}

/* the offsets (from start) of the objects o in [start, end) with row[o] < dsu[o] (compared
   in the dtype of row: float32 bounds widen exactly to float64) */
#define CK_LIST_SCALAR(NAME, T)                                                            \
static inline ptrdiff_t NAME(const T* row, const float* dsu, ptrdiff_t start,             \
                             ptrdiff_t end, unsigned char* idx) {                          \
    ptrdiff_t o, m = 0;                                                                    \
    for (o = start; o < end; o++) {                                                        \
        idx[m] = (unsigned char)(o - start);                                               \
        m += row[o] < (T)dsu[o];                                                           \
    }                                                                                      \
    return m;                                                                              \
}

#if CK_SCAN_SSE2
static inline ptrdiff_t ck_list_d(const double* row, const float* dsu, ptrdiff_t start,
                                  ptrdiff_t end, unsigned char* idx) {
    ptrdiff_t o, m = 0;
    int mask;
    __m128 u0, u1;
    for (o = start; o + 8 <= end; o += 8) {
        _mm_prefetch((const char*)(row + o) + CK_PREFETCH_BYTES, _MM_HINT_T0);
        u0 = _mm_loadu_ps(dsu + o);
        u1 = _mm_loadu_ps(dsu + o + 4);
        mask = _mm_movemask_pd(_mm_cmplt_pd(_mm_loadu_pd(row + o), _mm_cvtps_pd(u0)))
            | _mm_movemask_pd(_mm_cmplt_pd(_mm_loadu_pd(row + o + 2),
                                           _mm_cvtps_pd(_mm_movehl_ps(u0, u0)))) << 2
            | _mm_movemask_pd(_mm_cmplt_pd(_mm_loadu_pd(row + o + 4), _mm_cvtps_pd(u1))) << 4
            | _mm_movemask_pd(_mm_cmplt_pd(_mm_loadu_pd(row + o + 6),
                                           _mm_cvtps_pd(_mm_movehl_ps(u1, u1)))) << 6;
        m = ck_push(idx, m, mask, (int)(o - start));
    }
    for (; o < end; o++) {
        idx[m] = (unsigned char)(o - start);
        m += row[o] < (double)dsu[o];
    }
    return m;
}

static inline ptrdiff_t ck_list_f(const float* row, const float* dsu, ptrdiff_t start,
                                  ptrdiff_t end, unsigned char* idx) {
    ptrdiff_t o, m = 0;
    int mask;
    for (o = start; o + 8 <= end; o += 8) {
        _mm_prefetch((const char*)(row + o) + CK_PREFETCH_BYTES, _MM_HINT_T0);
        mask = _mm_movemask_ps(_mm_cmplt_ps(_mm_loadu_ps(row + o), _mm_loadu_ps(dsu + o)))
            | _mm_movemask_ps(_mm_cmplt_ps(_mm_loadu_ps(row + o + 4),
                                           _mm_loadu_ps(dsu + o + 4))) << 4;
        m = ck_push(idx, m, mask, (int)(o - start));
    }
    for (; o < end; o++) {
        idx[m] = (unsigned char)(o - start);
        m += row[o] < dsu[o];
    }
    return m;
}
#else
CK_LIST_SCALAR(ck_list_d, double)
CK_LIST_SCALAR(ck_list_f, float)
#endif

CK_DELTAS(ck_deltas_d, double, ck_list_d)
CK_DELTAS(ck_deltas_f, float, ck_list_f)

#endif
