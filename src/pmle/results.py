"""What grading one submission produced: a record that the grade table, the feedback and the summary read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from pmle.selfcheck import ItemResult, Scored

STATUSES = ("graded", "timeout", "crashed", "invalid")


@dataclass
class LearnerCell:
    """One cell the learner wrote (an answer or an extra cell), as it ran in the sandbox."""

    source: str
    grade_id: str | None = None  # the answer's grade id, None for the learner's own extra cells
    output: str = ""  # text the cell printed or displayed, truncated
    error: str = ""  # "ValueError: ..." when the cell raised, else ""


@dataclass
class SubmissionResult(Scored):
    """The outcome for one student and one lab."""

    student: str
    lab: str
    status: str  # one of STATUSES
    detail: str = ""  # why, for anything but a clean "graded"; empty otherwise
    items: list[ItemResult] = field(default_factory=list)  # every graded item of the lab, in order
    cells: list[LearnerCell] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        data = asdict(self)
        data.update(score=self.score, max_score=self.max_score)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "SubmissionResult":
        return cls(
            student=data["student"],
            lab=data["lab"],
            status=data["status"],
            detail=data.get("detail", ""),
            items=[ItemResult(**i) for i in data.get("items", [])],
            cells=[LearnerCell(**c) for c in data.get("cells", [])],
            seconds=float(data.get("seconds", 0.0)),
        )
