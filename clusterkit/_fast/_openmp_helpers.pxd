# The one OpenMP shim of the kernels: OpenMP's functions where the build has OpenMP, serial
# stand-ins otherwise (setup.py probes the compiler; CLUSTERKIT_NO_OPENMP=1 forces serial).

cdef extern from *:
    """
    #ifdef _OPENMP
    #include <omp.h>
    #define CK_OPENMP 1
    static inline int ck_team_size(void) { return omp_get_num_threads(); }
    #else
    #define CK_OPENMP 0
    static inline int omp_get_max_threads(void) { return 1; }
    static inline int ck_team_size(void) { return 1; }
    #endif
    static inline void ck_barrier(void) {
    #ifdef _OPENMP
    #pragma omp barrier
    #endif
    }
    """
    # 1 when compiled with OpenMP
    int CK_OPENMP
    int omp_get_max_threads() noexcept nogil
    # threads of the current team (1 outside a parallel region or without OpenMP)
    int ck_team_size() noexcept nogil
    # barrier of the current team (no-op without OpenMP)
    void ck_barrier() noexcept nogil
