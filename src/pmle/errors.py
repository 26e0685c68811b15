"""Errors with a message meant for the person at the terminal; the CLI turns them into one line."""


class PmleError(Exception):
    """Base class: ``str(error)`` is the user-facing message, ``hint`` what to do about it."""

    hint = ""


class NotebookError(PmleError):
    """A file that is missing, unreadable, or not a lab notebook."""

    hint = "Pass the path of a lab notebook, for example labs/01_framing/01_framing.ipynb."


class CourseNotFound(PmleError):
    """The course files (solutions/, labs/) could not be located."""

    hint = "Run from inside the repository, or set PMLE_COURSE_ROOT to its path."


class ReleaseOutOfDate(PmleError):
    """labs/ differs from what solutions/ generates."""

    hint = "Run `pmle release` and commit labs/."
