"""docs/notebook.ipynb runs from top to bottom in a real Jupyter kernel."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).parents[2] / "docs" / "notebook.ipynb"


def test_the_notebook_runs_and_shows_the_report() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    with warnings.catch_warnings():  # Jupyter's own deprecation notices are not ours
        warnings.simplefilter("ignore")
        resources = {"metadata": {"path": str(NOTEBOOK.parent)}}
        client = nbclient.NotebookClient(
            notebook, timeout=120, kernel_name="python3", resources=resources
        )
        client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    report = next(h for h in html if "SyncReport" in h and "customers" in h)
    assert "<th>read</th>" in report
    assert "Not sent, by reason" in report
    assert " s &middot; requests:" in report
    assert any('class="dataframe"' in h and "invalid e-mail" in h for h in html)  # pandas
