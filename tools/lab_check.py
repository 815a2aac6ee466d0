"""Run notebooks in JupyterLab, in headless chromium, the way a student does: ``make lab-check``.

It starts JupyterLab (the course's .venv) on a free port of 127.0.0.1 with a random token, on
notebooks/ with the course's kernel (``make lab``'s: the environment ``make`` gives Jupyter,
JUPYTER_DATA_DIR etc., must hold it), opens each notebook in Debian's chromium through
tools/browser.py, runs all its cells in smoke mode with Lab's own "Run All Cells" and then
reads what Lab shows. A notebook fails if:

- a cell did not run, or shows an error;
- a cell shows stderr or a Python warning that tools/notebook_outputs.py does not allow;
- no figure appears as an image, an image did not load, or a figure appears only as its text
  ("<Figure size ...>", the sign of a non-interactive Matplotlib backend);
- a progress bar appears as text instead of a widget, or a widget did not render;
- the kernel is not the course's, or the page logged an error or asked for anything outside
  the machine (tools/browser.py blocks and reports it).

The number of progress-bar widgets is printed (the notebooks checked show none in smoke mode
today); tests/test_lab_check.py checks on a notebook of its own that a tqdm bar does become a
widget in this Lab. Lab's autosave is off and the notebook files are hashed before and after:
the committed notebooks stay without outputs. Screenshots of each notebook (the page at the end
of the run, its setup cell, its first figure and its first progress bar, each cell with its
outputs) and the server's log go to build/lab-check/. The server is stopped at the end, even
when a check fails; so are its kernels. Exit status 1 and one line per problem if any check
fails.
"""

import argparse
import hashlib
import importlib.util
import json
import os
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "build" / "lab-check"
DEFAULT = ("02_vae", "03_conv_vae_mnist", "09_evaluating_vaes")
"""Notebooks checked by default: 02 and 03 (the issue's two), 09 (importance-weighted
evaluation)."""
KERNEL_DISPLAY_NAME = "Python 3 (VAE course)"
"""The display name of the kernel spec ``make`` writes for ``make lab`` (see the Makefile)."""

# Lab's settings for the check: no autosave (the notebooks must stay without outputs), every
# cell attached to the page (windowing "none": the checks read outputs of cells off screen),
# and nothing fetched from the internet (news, update checks).
SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}

# The kernel's name in the notebook's toolbar ("No Kernel" until one is connected).
KERNEL_NAME = """() => {
  const label = document.querySelector('.jp-Toolbar-kernelName .jp-ToolbarButtonComponent-label');
  return label === null ? '' : label.innerText.trim();
}"""

# True once the notebook has a kernel and that kernel is idle.
IDLE = """() => {
  const name = (""" + KERNEL_NAME + """)();
  const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
  return name !== '' && name !== 'No Kernel' && indicator !== null
    && indicator.getAttribute('data-status') === 'idle';
}"""

# The input prompts of the code cells: "[3]:" ran, "[*]:" runs or waits, "[ ]:" never ran.
PROMPTS = """() => [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')]
  .map(p => p.innerText.trim())"""

# True once "Run All Cells" is over: the kernel is idle, no cell waits or runs ("[*]:") and at
# least one has run. Lab runs no cell after one that failed: those keep "[ ]:".
DONE = """() => {
  const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
  if (!indicator || indicator.getAttribute('data-status') !== 'idle') return false;
  const prompts = (""" + PROMPTS + """)();
  return !prompts.some(p => p.includes('*')) && prompts.some(p => /\\d/.test(p));
}"""

# What Lab shows, cell by cell: prompts, stderr (where Lab renders errors too) and stdout
# texts, images, progress-bar widgets (a widget's output has no data-mime-type).
INSPECT = """async () => {
  const BAR = '.widget-hprogress, .widget-vprogress';  // ipywidgets' progress bars
  // a busy machine may still be decoding images or rendering widgets
  const deadline = Date.now() + 15000;
  const pending = () =>
    [...document.querySelectorAll('.jp-OutputArea img')].some(im => !im.complete)
    || [...document.querySelectorAll('.jp-OutputArea-output')]
         .some(out => out.innerText.startsWith('Loading widget'));
  do { await new Promise(r => setTimeout(r, 300)); } while (pending() && Date.now() < deadline);
  const cells = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell')];
  return {
    kernel: (""" + KERNEL_NAME + """)(),
    cells: cells.map(cell => ({
      prompt: (cell.querySelector('.jp-InputPrompt') || {innerText: ''}).innerText,
      outputs: [...cell.querySelectorAll('.jp-OutputArea-output')].map(out => ({
        mime: out.getAttribute('data-mime-type') || '',
        text: out.innerText,
        images: [...out.querySelectorAll('img')].map(im => im.complete && im.naturalWidth > 0),
        bars: out.querySelectorAll(BAR).length,
      })),
    })),
  };
}"""

STDERR = "application/vnd.jupyter.stderr"
STDOUT = "application/vnd.jupyter.stdout"
TRACEBACK = "Traceback (most recent call last)"   # how Lab shows a cell's error (as stderr)


def _load(name):
    """Import tools/<name>.py (tools/ is a script folder, not a package)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


browser = _load("browser")
notebook_outputs = _load("notebook_outputs")


def judge(report, kernel=KERNEL_DISPLAY_NAME):
    """Problems in one notebook's ``report`` (what INSPECT returned), one line each, and the
    numbers of images and progress-bar widgets it showed -> (problems, images, bars).
    ``kernel``: the display name the notebook's kernel must have."""
    problems, images, bars = [], 0, 0
    if report["kernel"] != kernel:
        problems.append(f"kernel is {report['kernel']!r}, not {kernel!r}")
    for number, cell in enumerate(report["cells"], start=1):
        where = f"code cell {number}"
        if not any(ch.isdigit() for ch in cell["prompt"]):
            problems.append(f"{where} did not run (prompt {cell['prompt']!r})")
        streams = [{"output_type": "stream", "name": "stderr" if o["mime"] == STDERR else "stdout",
                    "text": o["text"]} for o in cell["outputs"]
                   if o["mime"] in (STDERR, STDOUT) and TRACEBACK not in o["text"]]
        problems += [f"{where} shows {text.strip()[:300]!r}"
                     for text in notebook_outputs.unexpected_outputs(streams)]
        for out in cell["outputs"]:
            if out["mime"] == STDERR and TRACEBACK in out["text"]:
                problems.append(f"{where} failed: {out['text'].strip().splitlines()[-1]}")
                continue
            images += sum(out["images"])
            if not all(out["images"]):
                problems.append(f"{where}: an image did not load")
            bars += out["bars"]
            if out["text"].startswith(("Error displaying widget", "Loading widget")):
                problems.append(f"{where}: a widget did not render: {out['text'][:200]!r}")
            elif not out["bars"] and "%|" in out["text"]:
                problems.append(f"{where}: a progress bar shown as text: {out['text'][:120]!r}")
            if "<Figure size" in out["text"]:
                problems.append(f"{where}: a figure shown as text, not as an image")
    if images == 0:
        problems.append("no figure appeared as an image")
    return problems, images, bars


def _hashes(paths):
    return {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}


def _write_settings(settings_dir):
    for name, values in SETTINGS.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def check_notebook(session, base, token, name, timeout_s, kernel):
    """Open ``name`` (a notebook of notebooks/) in Lab, run all cells, inspect and screenshot
    it; return (problems, images, bars) as ``judge``, problems prefixed with the notebook."""
    page = session.page
    session.clear()
    page.goto(f"{base}/lab/tree/{name}.ipynb?reset&token={token}")   # reset: only this tab
    page.wait_for_selector(".jp-Notebook .jp-CodeCell")
    page.wait_for_function(IDLE, timeout=120_000)
    started = time.monotonic()
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    try:
        page.wait_for_function(DONE, timeout=timeout_s * 1000, polling=500)
        late = []
    except browser.PlaywrightTimeoutError:
        late = [f"the cells did not finish within {timeout_s} s (prompts: "
                f"{page.evaluate(PROMPTS)})"]
    seconds = time.monotonic() - started
    problems, images, bars = judge(page.evaluate(INSPECT), kernel)
    problems = late + problems
    shots = [session.screenshot(f"{name}-end")]   # Run All leaves the last cell in view
    for label, selector in (("setup", ".jp-NotebookPanel .jp-CodeCell"),
                            ("figure", ".jp-OutputArea-output img"),
                            ("progress", ".jp-OutputArea-output .widget-hprogress")):
        found = page.locator(selector)
        if found.count():
            cell = found.first.locator("xpath=ancestor-or-self::div[contains(@class,'jp-Cell')][1]")
            shots.append(session.screenshot(f"{name}-{label}", element=cell))
    # Lab cancels its own polls of the server (kernels, sessions, contents) when it moves on
    problems += [p for p in session.problems() if not p.endswith("(net::ERR_ABORTED)")]
    print(f"{name}: ran in {seconds:.0f} s, {images} images, {bars} progress-bar widgets, "
          f"{len(problems)} problems; screenshots {', '.join(str(s) for s in shots)}")
    return [f"{name}: {p}" for p in problems], images, bars


def _shut_down_kernels(base, token):
    """Shut down every kernel the server runs (REST API), before the next notebook starts."""
    import urllib.request

    headers = {"Authorization": f"token {token}"}
    request = urllib.request.Request(f"{base}/api/kernels", headers=headers)
    with urllib.request.urlopen(request, timeout=30) as answer:
        kernels = json.load(answer)
    for kernel in kernels:
        urllib.request.urlopen(urllib.request.Request(
            f"{base}/api/kernels/{kernel['id']}", method="DELETE", headers=headers), timeout=60)


def check_all(names=DEFAULT, root=NOTEBOOKS, out=OUT, timeout_s=600, kernel=KERNEL_DISPLAY_NAME):
    """Check the notebooks ``names`` (stems of notebooks in the folder ``root``) in one
    JupyterLab and one chromium; return the list of problems (empty: all good). Screenshots in
    ``out/screenshots``, the server's log in ``out/server.log``; ``kernel``: the display name
    each notebook's kernel must have. ``timeout_s``: seconds one notebook may take."""
    out = Path(out)
    settings = out / "settings"
    _write_settings(settings)
    files = [Path(root) / f"{name}.ipynb" for name in names]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        return [f"no such notebook: {m}" for m in missing]
    before = _hashes(files)
    port, token = browser.free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "VAE_SMOKE": "1"}
    env.pop("MPLBACKEND", None)   # the kernel's own inline backend draws the figures
    argv = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={out / 'workspaces'}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--allow-root"]   # CI containers run as root
    problems = []
    with (browser.local_server(argv, f"{base}/api/status?token={token}", out / "server.log",
                               env=env) as _,
          browser.launch() as chromium,
          browser.PageSession(chromium, servers=[base], screenshots=out / "screenshots",
                              viewport=(1280, 1000), timeout_s=120) as session):
        for name in names:
            problems += check_notebook(session, base, token, name, timeout_s, kernel)[0]
            _shut_down_kernels(base, token)
    changed = [str(path) for path, digest in _hashes(files).items() if before[path] != digest]
    problems += [f"{path} was changed by the check" for path in changed]
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", default=DEFAULT,
                        help=f"notebook names in notebooks/ (default: {' '.join(DEFAULT)})")
    parser.add_argument("--timeout", type=int, default=600,
                        help="seconds one notebook may take to run all its cells")
    args = parser.parse_args(argv)
    problems = check_all(args.notebooks, timeout_s=args.timeout)
    print("\n".join(problems) or "all notebooks OK in JupyterLab")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
