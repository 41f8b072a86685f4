"""Sphinx configuration: numpydoc API pages and a sphinx-gallery built from examples/."""
import os
import sys

sys.path.insert(0, os.path.abspath(".."))
import clusterkit  # noqa: E402

project = "clusterkit"
author = "clusterkit developers"
release = clusterkit.__version__
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
numpydoc_show_class_members = False
exclude_patterns = ["_build"]
html_theme = "pydata_sphinx_theme" if "PYDATA" in os.environ else "alabaster"
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
}
intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
    "sklearn": ("https://scikit-learn.org/stable", None),
}
