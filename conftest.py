"""pytest set-up shared by the unit tests (tests/) and the notebooks (nbval).

Notebook kernels inherit this process's environment, so these defaults reach them too.
"""

import os

os.environ.setdefault("VAE_SMOKE", "1")        # tests run every notebook in smoke mode
os.environ["VAE_OFFLINE"] = "1"                # tests never download data
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

# student copies (tools/student_notebooks.py) are for students, not for the test run
collect_ignore_glob = ["notebooks/student/*"]
