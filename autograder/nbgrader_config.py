"""The course's nbgrader configuration (loaded by ../nbgrader_config.py).

solutions/ is nbgrader's source directory and labs/ its release directory. Everything a grading
run produces (gradebook, submitted/, autograded/, feedback/) lives in grading/, which git ignores.
"""

import importlib.util
import os

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "grading")
os.makedirs(WORK, exist_ok=True)

c.CourseDirectory.root = ROOT
c.CourseDirectory.course_id = "pmle-labs"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "labs"
c.CourseDirectory.submitted_directory = os.path.join("grading", "submitted")
c.CourseDirectory.autograded_directory = os.path.join("grading", "autograded")
c.CourseDirectory.feedback_directory = os.path.join("grading", "feedback")
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(WORK, "gradebook.db")
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".DS_Store"]

# Labs stay well inside the 20 s budget; the limit only stops runaway submissions.
c.Execute.timeout = 60

# Learners' cells and outputs are untrusted HTML, and nbgrader's pages (formgrader, generate_feedback)
# show them on the instructor's Jupyter origin. sanitize_html makes nbconvert clean outputs (text/html,
# text/markdown; JavaScript and widget outputs are dropped) and raw cells. nbgrader 0.9's formgrade and
# feedback templates render markdown cells with `markdown2html` alone, never `clean_html`, whatever
# sanitize_html says, and nbconvert's renderer keeps javascript: links: so both filters are replaced by
# the course's allow-list sanitiser (pmle.grading.safehtml; it keeps headings, tables, code, data: images
# and the checks' coloured verdicts readable). `pmle grade` sanitises the autograded notebooks it writes too.
c.HTMLExporter.sanitize_html = True
if importlib.util.find_spec("pmle") is not None:
    c.HTMLExporter.filters = {
        "markdown2html": "pmle.grading.safehtml.markdown2html",
        "clean_html": "pmle.grading.safehtml.clean_html",
    }
