"""What grading one submission produced: a record that the grade table, the feedback and the summary read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from pmle.grading.verdict import Verdict

STATUSES = ("graded", "timeout", "crashed", "invalid")


@dataclass
class ItemResult:
    """The verdict on one graded item, with its points."""

    item: str
    kind: str  # "auto" or "manual"
    status: str  # one of pmle.grading.verdict.STATUSES
    points: float
    max_points: float
    message: str

    @classmethod
    def of(cls, verdict: Verdict, kind: str, max_points: float) -> "ItemResult":
        earned = max_points if verdict.passed and kind == "auto" else 0.0
        return cls(verdict.item, kind, verdict.status, earned, max_points, verdict.message)

    def as_dict(self) -> dict:
        return asdict(self)


class Scored:
    """Automatic points of ``self.items`` (a list of ItemResult)."""

    items: list[ItemResult]

    @property
    def score(self) -> float:
        return sum(i.points for i in self.items if i.kind == "auto")

    @property
    def max_score(self) -> float:
        return sum(i.max_points for i in self.items if i.kind == "auto")

    def item(self, name: str) -> ItemResult:
        return next(i for i in self.items if i.item == name)


@dataclass
class LabResult(Scored):
    """What `pmle check` reports for one notebook."""

    lab: str
    notebook: str
    items: list[ItemResult]
    detail: str = ""  # why grading stopped early (a timeout, a crash), else ""
    variants: list["VariantResult"] = field(default_factory=list)  # only when the course asked for variants

    @property
    def manual_points(self) -> float:
        return sum(i.max_points for i in self.items if i.kind == "manual")

    def as_dict(self) -> dict:
        return {
            "lab": self.lab,
            "notebook": self.notebook,
            "score": self.score,
            "max_score": self.max_score,
            "manual_points": self.manual_points,
            "detail": self.detail,
            "items": [i.as_dict() for i in self.items],
            **({"variants": [asdict(v) for v in self.variants]} if self.variants else {}),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "LabResult":
        return cls(data["lab"], data["notebook"], [ItemResult(**i) for i in data["items"]], data.get("detail", ""),
                   [VariantResult.from_dict(v) for v in data.get("variants", [])])


@dataclass
class LearnerCell:
    """One cell the learner wrote (an answer or an extra cell), as it ran in the sandbox."""

    source: str
    grade_id: str | None = None  # the answer's grade id, None for the learner's own extra cells
    output: str = ""  # text the cell printed or displayed, truncated
    error: str = ""  # "ValueError: ..." when the cell raised, else ""


@dataclass
class VariantResult:
    """A course-written variant of the notebook (pmle.grading.trusted.Variant): the items it judged."""

    name: str
    status: str  # "graded", "crashed" (its copy of the runner ended), "invalid" (no such cell or item)
    detail: str = ""
    items: list[ItemResult] = field(default_factory=list)  # from the variant's cell to its last item

    def item(self, name: str) -> ItemResult | None:
        return next((i for i in self.items if i.item == name), None)

    @classmethod
    def from_dict(cls, data: dict) -> "VariantResult":
        return cls(data["name"], data["status"], data.get("detail", ""), [ItemResult(**i) for i in data.get("items", [])])


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
    variants: list[VariantResult] = field(default_factory=list)  # only when the course asked for variants

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
            variants=[VariantResult.from_dict(v) for v in data.get("variants", [])],
        )
