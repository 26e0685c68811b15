"""The course's nbgrader configuration (loaded by ../nbgrader_config.py).

solutions/ is nbgrader's source directory and labs/ its release directory. Everything a grading
run produces (gradebook, submitted/, autograded/, feedback/) lives in grading/, which git ignores.
"""

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
