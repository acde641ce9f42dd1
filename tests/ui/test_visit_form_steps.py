"""Every step of the visit form implements the hooks its base class leaves abstract."""

from __future__ import annotations

from ui.widgets import visit_form
from ui.widgets.visit_form import RowsStep, _Step

STEP_HOOKS = ("load", "store", "show_problems", "retranslate")


def _concrete(base: type) -> list[type]:
    found: list[type] = []
    for sub in base.__subclasses__():
        found += [sub] if not sub.__subclasses__() else []
        found += _concrete(sub)
    return found


def test_every_step_overrides_the_abstract_hooks() -> None:
    steps = _concrete(_Step)
    assert {s.__name__ for s in steps} >= {
        "BasicsStep",
        "MembersStep",
        "IncomesStep",
        "AssetsStep",
        "ExpensesStep",
        "ConditionsStep",
        "PhotosStep",
        "FindingStep",
    }
    for step in steps:
        for hook in STEP_HOOKS:
            assert getattr(step, hook) is not getattr(_Step, hook), (step.__name__, hook)
        if issubclass(step, RowsStep):
            assert step.column_titles is not RowsStep.column_titles, step.__name__
    assert all(s.__module__ == visit_form.__name__ for s in steps)
