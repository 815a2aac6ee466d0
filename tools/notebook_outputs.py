"""What an executed notebook may show besides its results: the one list both notebook checks
use (nbval in ``make test``, through conftest.py, and ``make lab-check`` in JupyterLab).

An output is unexpected if it is a stream on stderr that no entry of ALLOWED_OUTPUTS explains,
or a Python warning printed on stdout. Progress bars are widgets in a kernel (ipywidgets), so a
text bar on stderr is unexpected too; so are the backend's C++ start-up logs, which
``import vae`` filters out (vae/startup.py). Fix the notebook or the library; add an entry here
only for a message the lesson itself explains, with that reason.
"""

import re

ALLOWED_OUTPUTS = (
    (r"^E\d{4} [\d:.]+\s+\d+ util\.cc:\d+\] oneDNN supports DT_INT32 only on platforms with "
     r"AVX-512\. Falling back to the default Eigen-based implementation if present\.\s*$",
     "TensorFlow 2.21 logs at ERROR level, at run time (notebook 03), that one int32 op runs "
     "with Eigen instead of oneDNN: same result, nothing for a student to do; TensorFlow's "
     "log level 2 keeps ERROR lines, and this one is not worth hiding the others for"),
)
"""(pattern searched in a stderr text, the reason a student sees it), one per allowed output."""

# how warnings.showwarning prints a warning: "path:line: SomethingWarning: message"
_WARNING = re.compile(r":\d+: \w*Warning: ")


def unexpected_outputs(outputs, allowed=ALLOWED_OUTPUTS):
    """The texts among a cell's ``outputs`` (nbformat output dicts) that should not be there:
    stderr streams that no pattern of ``allowed`` matches, and stdout streams that print a
    Python warning. Display data (figures, widgets) is never unexpected."""
    found = []
    for output in outputs:
        if output.get("output_type") != "stream":
            continue
        text = output.get("text", "")
        if output.get("name") == "stderr" and not any(re.search(p, text) for p, _ in allowed):
            found.append(text)
        elif output.get("name") == "stdout" and _WARNING.search(text):
            found.append(text)
    return found
