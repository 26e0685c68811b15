"""One verdict model for every path that grades: the in-notebook check, `pmle check` and `pmle grade`.

An item's check (a function of the lab's module, see pmle.course.labs) runs with the learner's answers;
what it raised, or the passes its checkers confirmed, becomes one `Verdict`:

- ``pass``: it ended without an exception and at least one checker confirmed a pass (a check that
  confirms nothing earns nothing);
- ``wrong``: a checker raised `Incorrect`, whose message names the mistake when it is a known one;
- ``not attempted``: the placeholder is still there (`NotAttempted`, or learner code that still raises
  NotImplementedError);
- ``error``: the learner's code raised (`AnswerError`: their function, or the cell that answers);
- ``blocked``: the item builds on an earlier answer that is missing (`Blocked` names it);
- ``manual``: a written answer, graded by a person; ``not run``: grading stopped before the item.

Anything else an item raises is a fault of the course's checks and says so, never "wrong".
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass

from pmle import feedback

STATUSES = ("pass", "wrong", "not attempted", "error", "blocked", "manual", "not run")
NOT_RUN = "grading stopped before this item (the notebook timed out or crashed earlier)."


@dataclass(frozen=True)
class Verdict:
    """The status of one item and the one message the learner reads."""

    item: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def as_dict(self) -> dict:
        return asdict(self)


def judge(item: str, run: Callable[[], object], *, passthrough: tuple[type[BaseException], ...] = ()) -> Verdict:
    """Run one item's check and turn its outcome into a Verdict; ``passthrough`` exceptions propagate.

    Warnings raised while checking (a learner's model that does not converge, say) are silenced: they
    are not the learner's verdict, and nbgrader would score a test cell that writes to stderr as 0.
    """
    notes: list[str] = []
    token = feedback.record_passes(notes)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run()
    except passthrough:
        raise
    except feedback.Incorrect as exc:
        return Verdict(item, exc.status, exc.message)
    except NotImplementedError:
        return Verdict(item, "not attempted", "a function of yours that this check calls still raises "
                                               "NotImplementedError: write its body and run its cell.")
    except RecursionError:
        return Verdict(item, "error", "your code recursed too deeply while it was being checked.")
    except Exception as exc:  # noqa: BLE001 - a fault in the course's checks, reported as such
        return Verdict(item, "error", f"the check of `{item}` itself failed ({type(exc).__name__}: {exc}); "
                                      "this is a fault in the lab's checks, not in your answer: please report it.")
    finally:
        feedback.stop_recording(token)
    if not notes:
        return Verdict(item, "error", f"the check of `{item}` ended without confirming a pass; "
                                      "this is a fault in the lab's checks: please report it.")
    return Verdict(item, "pass", " ".join(dict.fromkeys(notes)))


def manual(item: str, lab: str) -> Verdict:
    where = f"solutions/{lab}/{lab}.ipynb, cell `{item}`"
    return Verdict(item, "manual", f"graded by hand; model answer and rubric in {where}.")
