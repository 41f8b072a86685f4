/* Euclidean distances from a Gram block, written with their mirror (used by _gram.pyx).
 *
 * ck_gram_block_d / ck_gram_block_f take the float64 Gram entries G[i - a, j - a] = x_i . x_j
 * of rows [a, b) and columns [a, n), the squared norms sq, and write into the n x n
 * C-contiguous matrix D, for a <= i < b and i < j < n,
 *
 *     D[i, j] = D[j, i] = sqrt(max(0, (-2 G[i - a, j - a] + sq[i]) + sq[j])),
 *
 * computed in float64 (the order of scikit-learn's euclidean_distances, so integer-valued
 * data gives its matrix bit for bit) and rounded once to D's dtype, and D[i, i] = 0. Only
 * the upper part of G is read (j > i), so for float64 G may be D[a:b, a:] itself: each
 * entry is read before it is overwritten, and the mirror writes land in D[a:b, a:b]'s
 * lower triangle or in rows >= b, never on an entry still to be read.
 *
 * Why it looks like this: the mirror D[j, i] is a strided write. The columns go in tiles
 * of CK_GRAM_TILE: the tile's rows are computed first (contiguous, 2 doubles per SSE2
 * instruction), then written out transposed while the tile (b - a rows) is still in cache,
 * each mirror row [a, b) a contiguous run. One read of G and one write of D, where the
 * NumPy version made five passes over G, copied it and wrote its transpose uncached.
 */
#ifndef CK_GRAM_H
#define CK_GRAM_H

#include <math.h>
#include <stddef.h>

#if defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2)
#include <emmintrin.h>
#define CK_GRAM_SSE2 1
#else
#define CK_GRAM_SSE2 0
#endif

#define CK_GRAM_TILE 64

/* one distance; -2 g is exact, so a fused multiply-add would give the same value */
static inline double ck_gram_dist(double g, double sr, double sc) {
    double v = (g * -2.0 + sr) + sc;
    return sqrt(v > 0.0 ? v : 0.0);
}

/* out[j] = distance of (g[j], sr, sc[j]) for j < len; out may be g itself */
static inline void ck_gram_row_d(const double* g, double sr, const double* sc, double* out,
                                 ptrdiff_t len) {
    ptrdiff_t j = 0;
#if CK_GRAM_SSE2
    const __m128d m2 = _mm_set1_pd(-2.0), vr = _mm_set1_pd(sr), z = _mm_setzero_pd();
    for (; j + 2 <= len; j += 2) {
        __m128d v = _mm_add_pd(_mm_add_pd(_mm_mul_pd(_mm_loadu_pd(g + j), m2), vr),
                               _mm_loadu_pd(sc + j));
        _mm_storeu_pd(out + j, _mm_sqrt_pd(_mm_max_pd(v, z)));
    }
#endif
    for (; j < len; j++)
        out[j] = ck_gram_dist(g[j], sr, sc[j]);
}

static inline void ck_gram_row_f(const double* g, double sr, const double* sc, float* out,
                                 ptrdiff_t len) {
    ptrdiff_t j = 0;
#if CK_GRAM_SSE2
    const __m128d m2 = _mm_set1_pd(-2.0), vr = _mm_set1_pd(sr), z = _mm_setzero_pd();
    for (; j + 4 <= len; j += 4) {
        __m128d v0 = _mm_add_pd(_mm_add_pd(_mm_mul_pd(_mm_loadu_pd(g + j), m2), vr),
                                _mm_loadu_pd(sc + j));
        __m128d v1 = _mm_add_pd(_mm_add_pd(_mm_mul_pd(_mm_loadu_pd(g + j + 2), m2), vr),
                                _mm_loadu_pd(sc + j + 2));
        __m128 f0 = _mm_cvtpd_ps(_mm_sqrt_pd(_mm_max_pd(v0, z)));
        __m128 f1 = _mm_cvtpd_ps(_mm_sqrt_pd(_mm_max_pd(v1, z)));
        _mm_storeu_ps(out + j, _mm_movelh_ps(f0, f1));
    }
#endif
    for (; j < len; j++)
        out[j] = (float)ck_gram_dist(g[j], sr, sc[j]);
}

#define CK_GRAM_BLOCK(NAME, ROW, T)                                                        \
static void NAME(const double* G, ptrdiff_t ldg, const double* sq, ptrdiff_t a,           \
                 ptrdiff_t b, ptrdiff_t n, T* D) {                                         \
    ptrdiff_t i, j, j0, j1, jb, ie;                                                        \
    for (j0 = a; j0 < n; j0 += CK_GRAM_TILE) {                                             \
        j1 = j0 + CK_GRAM_TILE < n ? j0 + CK_GRAM_TILE : n;                                \
        for (i = a; i < b; i++) {                                                          \
            jb = j0 > i ? j0 : i + 1;                                                      \
            if (jb < j1)                                                                   \
                ROW(G + (i - a) * ldg + (jb - a), sq[i], sq + jb, D + i * n + jb, j1 - jb);\
        }                                                                                  \
        for (j = j0; j < j1; j++) {                                                        \
            ie = j < b ? j : b;                                                            \
            for (i = a; i < ie; i++)                                                       \
                D[j * n + i] = D[i * n + j];                                               \
        }                                                                                  \
    }                                                                                      \
    for (i = a; i < b; i++)                                                                \
        D[i * n + i] = 0;                                                                  \
}
CK_GRAM_BLOCK(ck_gram_block_d, ck_gram_row_d, double)
CK_GRAM_BLOCK(ck_gram_block_f, ck_gram_row_f, float)

#endif
