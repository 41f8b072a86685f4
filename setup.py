"""Build the Cython extensions; all metadata lives in pyproject.toml.

Environment switches
--------------------
CLUSTERKIT_DEBUG=1      compile with bounds checks (negative indices included) and
                        initialised-check on, -O0 -g; .ci/debug_kernels runs the kernel tests so
CLUSTERKIT_NO_OPENMP=1  build serially even where the compiler supports OpenMP
"""
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import warnings

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

DEBUG = os.environ.get("CLUSTERKIT_DEBUG", "0") not in ("", "0")

DIRECTIVES = {
    "language_level": 3,
    "boundscheck": DEBUG,
    # wraparound stays off in the debug build too: a negative index is then reported as
    # out of bounds instead of silently reading from the end of the buffer
    "wraparound": False,
    "initializedcheck": DEBUG,
    "nonecheck": False,
    "cdivision": True,
    "cpow": True,
    "profile": False,
}


def openmp_flags():
    """Return (compile, link) flags for OpenMP, or empty lists where unavailable."""
    if os.environ.get("CLUSTERKIT_NO_OPENMP", "0") not in ("", "0"):
        return [], []
    if sys.platform == "win32":
        return ["/openmp"], []
    if sys.platform == "darwin":
        candidates = [(["-Xpreprocessor", "-fopenmp"], ["-lomp"]), (["-fopenmp"], ["-fopenmp"])]
    else:
        candidates = [(["-fopenmp"], ["-fopenmp"])]
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    cc = cc.split()[0]
    if shutil.which(cc) is None:
        cc = "cc"
    src = "#include <omp.h>\nint main(void){return omp_get_max_threads() > 0 ? 0 : 1;}\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "probe.c")
        with open(path, "w") as f:
            f.write(src)
        for cflags, lflags in candidates:
            try:
                subprocess.run([cc, *cflags, path, "-o", os.path.join(tmp, "probe"), *lflags],
                               check=True, capture_output=True)
                return cflags, lflags
            except (OSError, subprocess.CalledProcessError):
                continue
    warnings.warn("clusterkit: the C compiler has no OpenMP support; building the kernels "
                  "serially (results are identical, only slower on several cores).")
    return [], []


OMP_CFLAGS, OMP_LFLAGS = openmp_flags()
BASE_CFLAGS = [] if sys.platform == "win32" else ["-O3"]
if DEBUG and sys.platform != "win32":
    BASE_CFLAGS = ["-O0", "-g"]
MACROS = [("NPY_NO_DEPRECATED_API", "NPY_1_9_API_VERSION")]


# C headers an extension includes, so that editing one rebuilds it
HEADERS = {"clusterkit._fast._checks": "clusterkit/_fast/_symcheck.h",
           "clusterkit._fast._gram": "clusterkit/_fast/_gram.h",
           "clusterkit._fast._medoid_state": "clusterkit/_fast/_medoid_scan.h"}


def ext(name, openmp=False):
    path = name.replace(".", "/") + ".pyx"
    return Extension(
        name,
        [path],
        depends=[HEADERS[name]] if name in HEADERS else [],
        include_dirs=[np.get_include()],
        define_macros=MACROS,
        extra_compile_args=BASE_CFLAGS + (OMP_CFLAGS if openmp else []),
        extra_link_args=OMP_LFLAGS if openmp else [],
    )


EXTENSIONS = [
    # shared
    ext("clusterkit._fast._openmp_helpers", openmp=True),
    ext("clusterkit._fast._checks", openmp=True),
    ext("clusterkit._fast._gram"),
    # k-medoids
    ext("clusterkit._fast._medoid_state", openmp=True),
    ext("clusterkit._fast._medoid_swap", openmp=True),
    ext("clusterkit._fast._fasterpam", openmp=True),
    ext("clusterkit._fast._medoid_init", openmp=True),
    ext("clusterkit._fast._clarans"),
    ext("clusterkit._fast._msc", openmp=True),
    # community detection
    ext("clusterkit._fast._community_linkage"),
    ext("clusterkit._fast._sparse", openmp=True),
]

setup(ext_modules=cythonize(EXTENSIONS, compiler_directives=DIRECTIVES,
                            compile_time_env={"CLUSTERKIT_DEBUG": DEBUG}))
