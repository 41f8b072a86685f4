# Types shared by every kernel (declarations only: cimporting this needs no module).

# Index type of every kernel: numpy's intp (a C Py_ssize_t), as in scikit-learn.
ctypedef Py_ssize_t intp_t
