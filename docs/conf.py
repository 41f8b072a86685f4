"""Sphinx configuration: numpydoc API pages and a sphinx-gallery built from examples/.

The build is strict (CI runs ``python -m sphinx -W -n --keep-going``) and works offline:

* intersphinx links to Python, NumPy, SciPy, scikit-learn, matplotlib, networkx and Dask
  are made only when ``CLUSTERKIT_DOCS_ONLINE=1`` is set, because the inventories
  (``objects.inv``) are downloaded at build time and no installed package ships them;
* offline, references to those projects cannot resolve, and ``nitpick_ignore_regex``
  ignores exactly them (names under ``numpy.``, ``scipy.``, ``sklearn.``, ...
  and the Python builtins). References to ``clusterkit`` names are never ignored: a
  broken one fails the build, online or not.
"""
import os
import sys

sys.path.insert(0, os.path.abspath(".."))
import clusterkit  # noqa: E402

project = "clusterkit"
author = "clusterkit developers"
copyright = "clusterkit developers"
release = clusterkit.__version__
version = release
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
templates_path = ["_templates"]
exclude_patterns = ["_build", "sg_execution_times.rst", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "auto_examples/*.zip"]
autosummary_generate = True
autodoc_default_options = {"member-order": "bysource"}
html_theme = "pydata_sphinx_theme"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
html_title = f"clusterkit {release}"

# -- numpydoc: parameter types become cross-references ----------------------------------
numpydoc_show_class_members = False  # the class template lists the members (autodoc)
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = True
numpydoc_xref_aliases = {
    # clusterkit names used bare in type fields
    "KMedoids": "clusterkit.KMedoids",
    "CLARA": "clusterkit.CLARA",
    "CLARANS": "clusterkit.CLARANS",
    "PPP": "clusterkit.PPP",
    "PPPTree": "clusterkit.PPPTree",
    "KMedoidsResult": "clusterkit.KMedoidsResult",
    "AgglomerativeCommunities": "clusterkit.community.AgglomerativeCommunities",
    "DivisiveCommunities": "clusterkit.community.DivisiveCommunities",
    # external types (resolved by intersphinx online, ignored offline: see below)
    "ndarray": "numpy.ndarray",
    "RandomState": "numpy.random.RandomState",
    "Generator": "numpy.random.Generator",
    "dtype": "numpy.dtype",
    "csr_array": "scipy.sparse.csr_array",
    "Axes": "matplotlib.axes.Axes",
    "Colormap": "matplotlib.colors.Colormap",
    "Figure": "matplotlib.figure.Figure",
    "Graph": "networkx.Graph",
    "DataFrame": "pandas.DataFrame",
}
# words of numpydoc type descriptions that are not types (shape names included), rendered
# as plain text; any other word must resolve (offline, see nitpick_ignore_regex below)
numpydoc_xref_ignore = {
    "of", "or", "in", "shape", "default", "optional", "sequence", "instance", "Ignored",
    "sparse", "matrix", "colors", "n", "N", "k", "K", "depth", "n_samples", "n_samples_fit",
    "n_features", "n_queries", "n_train", "n_clusters", "n_nodes", "n_levels", "n_cells",
}

# -- cross-references to other projects ---------------------------------------------------
ONLINE = os.environ.get("CLUSTERKIT_DOCS_ONLINE") == "1"
if ONLINE:
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "scipy": ("https://docs.scipy.org/doc/scipy", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "matplotlib": ("https://matplotlib.org/stable", None),
        "networkx": ("https://networkx.org/documentation/stable", None),
        "dask": ("https://docs.dask.org/en/stable", None),
        "distributed": ("https://distributed.dask.org/en/stable", None),
        "pandas": ("https://pandas.pydata.org/docs", None),
    }
else:
    intersphinx_mapping = {}
    _projects = ("python|numpy|scipy|sklearn|matplotlib|networkx|dask|distributed"
                 "|pandas")
    _external = r"(numpy|scipy|sklearn|matplotlib|networkx|dask|distributed|pandas)(\..+)?"
    _builtins = (r"int|float|str|bool|dict|list|tuple|set|None|callable|object|complex"
                 r"|bytes|slice|Ellipsis|True|False|Exception|ValueError|TypeError"
                 r"|MemoryError|ImportError|UserWarning|RuntimeWarning|KeyboardInterrupt")
    nitpick_ignore_regex = [
        # numpydoc's default aliases point into intersphinx projects ("python:int",
        # "numpy:array_like" in the glossary, ...)
        (r"py:.*|std:term|std:ref", rf"({_projects}):.*"),
        (r"py:.*", _external),
        (r"py:.*", _builtins),
    ]

# -- gallery ------------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",  # every plot_*.py is executed during the build
    "download_all_examples": False,
    "remove_config_comments": True,
}
