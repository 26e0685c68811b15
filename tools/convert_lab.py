"""One-off migration: turn a lab's source notebook to the lab-module engine (test cells call `lab.check`)."""

import re
import sys
from pathlib import Path

import nbformat

lab_id = sys.argv[1]
path = Path("solutions") / lab_id / f"{lab_id}.ipynb"
nb = nbformat.read(path, as_version=4)
nb.metadata["pmle"] = {"lab": lab_id}
for cell in nb.cells:
    meta = cell.metadata.get("nbgrader", {})
    if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
        cell.source = f'lab.check("{meta["grade_id"]}")'
    if meta.get("grade_id") == "setup":
        src = cell.source
        src, n = re.subn(r"from pmle\.feedback import \([^)]*\)\n|from pmle\.feedback import [^\n]*\n",
                         "", src)
        assert n == 1, "setup cell has no pmle.feedback import"
        src = src.replace("from pmle.data import load\n", "from pmle.data import load\nfrom pmle.lab import Lab\n", 1)
        assert "from pmle.lab import Lab" in src
        lines = src.split("\n")
        last_import = max(i for i, l in enumerate(lines) if l.startswith(("import ", "from ")) or l.startswith("    ") and i and lines[i-1].rstrip().endswith(("(", ",")))
        lines.insert(last_import + 1, f'\nlab = Lab("{lab_id}")  # the checks under each answer: lab.check("...")')
        cell.source = "\n".join(lines)
nbformat.write(nb, path)
print("converted", path)
