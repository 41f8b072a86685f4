/* The fast pass of the dissimilarity-matrix validation (used by _checks.pyx).
 *
 * ck_rows_d / ck_rows_f look at every pair (i, j) of a square C-contiguous matrix D of
 * order n whose row i lies in the row tiles t0 .. t1-1 (tiles of CK_TILE_ROWS rows, columns
 * from the tile's first row on) and return 1 as soon as a tile holds a pair that breaks
 *
 *     lo >= 0  and  c * hi - lo <= atol,   hi = max(a, b), lo = min(a, b), c = 1 - rtol,
 *
 * with a = D[i, j], b = D[j, i]; 0 when every pair passes. NaN, +inf and -inf all fail
 * (a NaN propagates through hi or lo, inf - inf is NaN), and so does any negative value.
 * The caller passes tolerances tighter than the ones it reports on and runs the exact,
 * locating scan when this pass fails: this pass only has to be never more lenient.
 *
 * Why it looks like this: the mirror entry D[j, i] is a strided read. On SSE2 (every
 * x86-64) the kernel reads 2 x 2 (float64) or 4 x 4 (float32) micro-blocks of both
 * sides and transposes the mirror block in registers, so every load is a vector load.
 * float64 rows are taken in bands one cache line of the mirror wide (8 rows), each
 * against all its columns, column by column: the band's rows stream, and the mirror's
 * line in each row is used whole as soon as it arrives (prefetched a few rows ahead), so
 * that every cache line of D is fetched once. On MNIST 5000 x 5000 float64 this pass
 * takes 17-20 ms on one thread, against 23-25 ms for the tiles of 32 rows x 1024 columns
 * it replaced, whose mirror lines were fetched once and then re-read from L2 four times
 * (D.sum(): 7-8 ms). float32 keeps those tiles (see ck_tile_f). Elsewhere a scalar loop
 * does the same tests. Rows and columns beyond the last full micro-block (n mod 2 or
 * n mod 4) are left to the caller (ck_strip_d / ck_strip_f), which tests them all.
 */
#ifndef CK_SYMCHECK_H
#define CK_SYMCHECK_H

#include <stddef.h>
#include <stdint.h>

#if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#include <emmintrin.h>
#include <xmmintrin.h>
#define CK_SYMCHECK_SSE2 1
#else
#define CK_SYMCHECK_SSE2 0
#endif

#define CK_TILE_ROWS 32
#define CK_TILE_COLS 1024
/* mirror rows prefetched this far ahead (in rows; 4-64 measured, 8 best) */
#define CK_MIRROR_AHEAD 8

/* one pair, in double (the strip, and the scalar build); hi and lo as SSE2's max/min:
   a NaN in b gives hi = NaN, a NaN in a gives lo = NaN */
static inline int ck_pair_bad(double a, double b, double c, double atol) {
    double hi = a > b ? a : b, lo = b < a ? b : a;
    return !((lo >= 0) & (c * hi - lo <= atol));
}

/* every pair (i, j) with i in [i0, n) or j in [i0, n): the rows and columns past the
   micro-blocks (all pairs are tested, including those the blocks tested already) */
#define CK_STRIP(NAME, T)                                                                  \
static int NAME(const T* D, ptrdiff_t n, ptrdiff_t i0, double rtol, double atol) {        \
    ptrdiff_t i, j;                                                                        \
    int bad = 0;                                                                           \
    double c = 1.0 - rtol;                                                                 \
    for (i = i0; i < n; i++)                                                               \
        for (j = 0; j < n; j++)                                                            \
            bad |= ck_pair_bad((double)D[i * n + j], (double)D[j * n + i], c, atol);       \
    return bad;                                                                            \
}
CK_STRIP(ck_strip_d, double)
CK_STRIP(ck_strip_f, float)

#if !CK_SYMCHECK_SSE2
/* scalar tile: rows [bi, iend) x columns [bj, jend) */
#define CK_TILE_SCALAR(NAME, T)                                                            \
static int NAME(const T* D, ptrdiff_t n, ptrdiff_t bi, ptrdiff_t iend, ptrdiff_t bj,      \
                ptrdiff_t jend, double rtol, double atol) {                                \
    ptrdiff_t i, j;                                                                        \
    int bad = 0;                                                                           \
    double c = 1.0 - rtol;                                                                 \
    for (i = bi; i < iend; i++)                                                            \
        for (j = bj; j < jend; j++)                                                        \
            bad |= ck_pair_bad((double)D[i * n + j], (double)D[j * n + i], c, atol);       \
    return bad;                                                                            \
}
CK_TILE_SCALAR(ck_tile_scalar_d, double)
CK_TILE_SCALAR(ck_tile_scalar_f, float)
#endif

#if CK_SYMCHECK_SSE2
/* float64: rows i, i+1 against columns j, j+1 */
static inline void ck_micro_d(const double* D, ptrdiff_t n, ptrdiff_t i, ptrdiff_t j,
                              __m128d vc, __m128d va, __m128d* ok, __m128d* lo_min) {
    __m128d a0 = _mm_loadu_pd(D + i * n + j), a1 = _mm_loadu_pd(D + (i + 1) * n + j);
    __m128d c0 = _mm_loadu_pd(D + j * n + i), c1 = _mm_loadu_pd(D + (j + 1) * n + i);
    __m128d b0 = _mm_unpacklo_pd(c0, c1), b1 = _mm_unpackhi_pd(c0, c1);
    __m128d hi0 = _mm_max_pd(a0, b0), lo0 = _mm_min_pd(b0, a0);
    __m128d hi1 = _mm_max_pd(a1, b1), lo1 = _mm_min_pd(b1, a1);
    *ok = _mm_and_pd(*ok, _mm_cmple_pd(_mm_sub_pd(_mm_mul_pd(vc, hi0), lo0), va));
    *ok = _mm_and_pd(*ok, _mm_cmple_pd(_mm_sub_pd(_mm_mul_pd(vc, hi1), lo1), va));
    /* min(lo, acc) keeps acc when lo is NaN: the NaN already failed the test above */
    *lo_min = _mm_min_pd(lo0, *lo_min);
    *lo_min = _mm_min_pd(lo1, *lo_min);
}

/* float32: rows i .. i+3 against columns j .. j+3 */
static inline void ck_micro_f(const float* D, ptrdiff_t n, ptrdiff_t i, ptrdiff_t j,
                              __m128 vc, __m128 va, __m128* ok, __m128* lo_min) {
    __m128 c0 = _mm_loadu_ps(D + j * n + i), c1 = _mm_loadu_ps(D + (j + 1) * n + i);
    __m128 c2 = _mm_loadu_ps(D + (j + 2) * n + i), c3 = _mm_loadu_ps(D + (j + 3) * n + i);
    __m128 a, hi, lo;
    int s;
    _MM_TRANSPOSE4_PS(c0, c1, c2, c3);  /* c_s = D[j .. j+3, i + s], the mirror of row i+s */
    for (s = 0; s < 4; s++) {
        __m128 b = s == 0 ? c0 : s == 1 ? c1 : s == 2 ? c2 : c3;
        a = _mm_loadu_ps(D + (i + s) * n + j);
        hi = _mm_max_ps(a, b);
        lo = _mm_min_ps(b, a);
        *ok = _mm_and_ps(*ok, _mm_cmple_ps(_mm_sub_ps(_mm_mul_ps(vc, hi), lo), va));
        *lo_min = _mm_min_ps(lo, *lo_min);
    }
}
#endif

/* float64 band: rows [bi, iend) (at most one mirror cache line wide, an even number)
   against the columns [bi, m), column pairs outer and the rows inner, so that each mirror
   cache line is used whole as soon as it arrives while the band's rows stream; the mirror
   rows are prefetched CK_MIRROR_AHEAD rows ahead (the hardware does not follow a stride of
   a whole row) */
static int ck_band_d(const double* D, ptrdiff_t n, ptrdiff_t bi, ptrdiff_t iend, ptrdiff_t m,
                     double rtol, double atol) {
#if CK_SYMCHECK_SSE2
    const __m128d vc = _mm_set1_pd(1.0 - rtol), va = _mm_set1_pd(atol);
    __m128d ok = _mm_cmpeq_pd(va, va), ok2 = ok, lo_min = _mm_setzero_pd(), lo_min2 = lo_min;
    ptrdiff_t i, j, ahead = m - 2 - CK_MIRROR_AHEAD;
    for (j = bi; j < m; j += 2) {
        if (j <= ahead) {
            _mm_prefetch((const char*)(D + (j + CK_MIRROR_AHEAD) * n + bi), _MM_HINT_T0);
            _mm_prefetch((const char*)(D + (j + CK_MIRROR_AHEAD + 1) * n + bi), _MM_HINT_T0);
        }
        for (i = bi; i + 4 <= iend; i += 4) {  /* two independent chains */
            ck_micro_d(D, n, i, j, vc, va, &ok, &lo_min);
            ck_micro_d(D, n, i + 2, j, vc, va, &ok2, &lo_min2);
        }
        if (i < iend)
            ck_micro_d(D, n, i, j, vc, va, &ok, &lo_min);
    }
    ok = _mm_and_pd(_mm_and_pd(ok, ok2),
                    _mm_cmpge_pd(_mm_min_pd(lo_min, lo_min2), _mm_setzero_pd()));
    return _mm_movemask_pd(ok) != 3;
#else
    return ck_tile_scalar_d(D, n, bi, iend, bi, m, rtol, atol);
#endif
}

/* float32: tiles of rows [bi, bi + CK_TILE_ROWS) x columns [bj, bj + CK_TILE_COLS), cut at
   m (a multiple of the micro-block), rows outer: bands as for float64 (8 or 16 rows)
   measured 2x slower for float32 */
static int ck_tile_f(const float* D, ptrdiff_t n, ptrdiff_t bi, ptrdiff_t bj, ptrdiff_t m,
                     double rtol, double atol) {
    ptrdiff_t iend = bi + CK_TILE_ROWS < m ? bi + CK_TILE_ROWS : m;
    ptrdiff_t jend = bj + CK_TILE_COLS < m ? bj + CK_TILE_COLS : m;
#if CK_SYMCHECK_SSE2
    const __m128 vc = _mm_set1_ps((float)(1.0 - rtol)), va = _mm_set1_ps((float)atol);
    __m128 ok = _mm_cmpeq_ps(va, va), lo_min = _mm_setzero_ps();
    ptrdiff_t i, j;
    for (i = bi; i < iend; i += 4)
        for (j = bj; j < jend; j += 4)
            ck_micro_f(D, n, i, j, vc, va, &ok, &lo_min);
    ok = _mm_and_ps(ok, _mm_cmpge_ps(lo_min, _mm_setzero_ps()));
    return _mm_movemask_ps(ok) != 15;
#else
    return ck_tile_scalar_f(D, n, bi, iend, bj, jend, rtol, atol);
#endif
}

/* float32: the row tiles t0 .. t1-1 (micro-blocks of 4 rows) */
static int ck_rows_f(const float* D, ptrdiff_t n, ptrdiff_t t0, ptrdiff_t t1, double rtol,
                     double atol) {
    ptrdiff_t m = n - n % 4, I, j0;
    for (I = t0; I < t1; I++)
        for (j0 = I * CK_TILE_ROWS; j0 < m; j0 += CK_TILE_COLS)
            if (ck_tile_f(D, n, I * CK_TILE_ROWS, j0, m, rtol, atol))
                return 1;
    return 0;
}

/* float64: the row tiles t0 .. t1-1 (micro-blocks of 2 rows; CK_TILE_ROWS is even), each
   cut into bands of at most one cache line (8 float64): when every row starts at the same
   offset within a cache line (the row length a multiple of 64 bytes), the bands are placed
   on the lines' boundaries (rounded down to an even column, the micro-block's), so that no
   mirror line is split between two bands (on a 5000 x 5000 D, whose rows NumPy places 16
   bytes past a line, 15 ms against 18.5 ms unaligned, measured in C). */
static int ck_rows_d(const double* D, ptrdiff_t n, ptrdiff_t t0, ptrdiff_t t1, double rtol,
                     double atol) {
    ptrdiff_t m = n - n % 2, I, b, e, lo, hi, a = 0;
    size_t off = (size_t)((uintptr_t)D % 64);
    if ((n * (ptrdiff_t)sizeof(double)) % 64 == 0 && off % sizeof(double) == 0) {
        a = (ptrdiff_t)(((64 - off) % 64) / sizeof(double)); /* first column on a line */
        a -= a % 2;
    }
    for (I = t0; I < t1; I++) {
        lo = I * CK_TILE_ROWS;
        hi = lo + CK_TILE_ROWS < m ? lo + CK_TILE_ROWS : m;
        for (b = lo; b < hi; b = e) {
            e = b + 8 - (((b - a) % 8 + 8) % 8);
            if (e > hi)
                e = hi;
            if (ck_band_d(D, n, b, e, m, rtol, atol))
                return 1;
        }
    }
    return 0;
}

#endif
