"""Translated display labels for domain enums (one literal `translate` call per label so that
lupdate extracts each string)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.domain import (
    AssistanceCategory,
    ClueKind,
    ClueStatus,
    Finding,
    Health,
    HouseholdStatus,
    LabourCapacity,
    Relation,
    VisitKind,
    VisitStatus,
)


def category_label(category: AssistanceCategory | None) -> str:
    if category is None:
        return QCoreApplication.translate("Labels", "Not assessed")
    return {
        AssistanceCategory.EXTREME_POVERTY: QCoreApplication.translate("Labels", "Extreme poverty"),
        AssistanceCategory.MINIMUM_LIVING: QCoreApplication.translate("Labels", "Minimum living"),
        AssistanceCategory.LOW_INCOME: QCoreApplication.translate("Labels", "Low income"),
        AssistanceCategory.EXPENDITURE_HARDSHIP: QCoreApplication.translate(
            "Labels", "Expenditure hardship"
        ),
        AssistanceCategory.NOT_ELIGIBLE: QCoreApplication.translate("Labels", "Not eligible"),
    }[category]


def household_status_label(status: HouseholdStatus) -> str:
    return {
        HouseholdStatus.ACTIVE: QCoreApplication.translate("Labels", "Active"),
        HouseholdStatus.SUSPENDED: QCoreApplication.translate("Labels", "Suspended"),
        HouseholdStatus.CLOSED: QCoreApplication.translate("Labels", "Closed"),
    }[status]


def visit_kind_label(kind: VisitKind) -> str:
    return {
        VisitKind.APPLICATION: QCoreApplication.translate("Labels", "Application survey"),
        VisitKind.PERIODIC_REVIEW: QCoreApplication.translate("Labels", "Periodic review"),
        VisitKind.CLUE_CHECK: QCoreApplication.translate("Labels", "Clue check"),
        VisitKind.WELFARE_VISIT: QCoreApplication.translate("Labels", "Welfare visit"),
        VisitKind.DISCOVERY: QCoreApplication.translate("Labels", "Discovery"),
    }[kind]


def visit_status_label(status: VisitStatus) -> str:
    return {
        VisitStatus.DRAFT: QCoreApplication.translate("Labels", "Draft"),
        VisitStatus.COMPLETED: QCoreApplication.translate("Labels", "Completed"),
        VisitStatus.SYNCED: QCoreApplication.translate("Labels", "Synced"),
        VisitStatus.UNDER_REVIEW: QCoreApplication.translate("Labels", "Under review"),
        VisitStatus.APPROVED: QCoreApplication.translate("Labels", "Approved"),
        VisitStatus.RETURNED: QCoreApplication.translate("Labels", "Returned"),
        VisitStatus.REVISED: QCoreApplication.translate("Labels", "Revised"),
    }[status]


def relation_label(relation: Relation) -> str:
    return {
        Relation.HEAD: QCoreApplication.translate("Labels", "Head"),
        Relation.SPOUSE: QCoreApplication.translate("Labels", "Spouse"),
        Relation.CHILD: QCoreApplication.translate("Labels", "Child"),
        Relation.PARENT: QCoreApplication.translate("Labels", "Parent"),
        Relation.GRANDCHILD: QCoreApplication.translate("Labels", "Grandchild"),
        Relation.GRANDPARENT: QCoreApplication.translate("Labels", "Grandparent"),
        Relation.SIBLING: QCoreApplication.translate("Labels", "Sibling"),
        Relation.OTHER: QCoreApplication.translate("Labels", "Other"),
    }[relation]


def health_label(health: Health) -> str:
    return {
        Health.HEALTHY: QCoreApplication.translate("Labels", "Healthy"),
        Health.CHRONIC: QCoreApplication.translate("Labels", "Chronic illness"),
        Health.SERIOUS: QCoreApplication.translate("Labels", "Serious illness"),
    }[health]


def labour_label(capacity: LabourCapacity) -> str:
    return {
        LabourCapacity.FULL: QCoreApplication.translate("Labels", "Full labour capacity"),
        LabourCapacity.PARTIAL: QCoreApplication.translate("Labels", "Partial labour capacity"),
        LabourCapacity.NONE: QCoreApplication.translate("Labels", "No labour capacity"),
    }[capacity]


def clue_kind_label(kind: ClueKind) -> str:
    return {
        ClueKind.BUSINESS_REGISTRATION: QCoreApplication.translate(
            "Labels", "Business registration"
        ),
        ClueKind.PUBLIC_PAYROLL_RELATIVE: QCoreApplication.translate(
            "Labels", "Relative on public payroll"
        ),
        ClueKind.REAL_ESTATE: QCoreApplication.translate("Labels", "Real estate"),
        ClueKind.VEHICLE: QCoreApplication.translate("Labels", "Vehicle"),
        ClueKind.DEATH: QCoreApplication.translate("Labels", "Death"),
        ClueKind.IMPRISONMENT: QCoreApplication.translate("Labels", "Imprisonment"),
        ClueKind.LARGE_DEPOSIT: QCoreApplication.translate("Labels", "Large deposit"),
    }[kind]


def clue_status_label(status: ClueStatus) -> str:
    return {
        ClueStatus.OPEN: QCoreApplication.translate("Labels", "Open"),
        ClueStatus.CONFIRMED: QCoreApplication.translate("Labels", "Confirmed"),
        ClueStatus.REFUTED: QCoreApplication.translate("Labels", "Refuted"),
    }[status]


def finding_label(finding: Finding | None) -> str:
    if finding is None:
        return QCoreApplication.translate("Labels", "No finding yet")
    return {
        Finding.ELIGIBLE: QCoreApplication.translate("Labels", "Eligible"),
        Finding.INELIGIBLE: QCoreApplication.translate("Labels", "Ineligible"),
        Finding.DOUBTFUL: QCoreApplication.translate("Labels", "Doubtful"),
    }[finding]


def sex_label(is_male: bool) -> str:
    return (
        QCoreApplication.translate("Labels", "Male")
        if is_male
        else QCoreApplication.translate("Labels", "Female")
    )


def rejection_reason_label(code: str) -> str:
    """Why the server refused a change, for the worker (the server's stable codes)."""
    translate = QCoreApplication.translate
    known = {
        "forbidden": translate("Labels", "Not allowed to change this record"),
        "unknown_record": translate("Labels", "The server has no such record"),
        "unknown_household": translate("Labels", "The server has no such household"),
        "base_version_ahead": translate("Labels", "Based on a version the server never had"),
        "record_deleted": translate("Labels", "The record was deleted on the server"),
        "immutable": translate("Labels", "A completed visit cannot change; make a revision"),
        "invalid_fields": translate("Labels", "The change has fields the server does not take"),
        "entity_not_pushable": translate("Labels", "This kind of record cannot be sent"),
        "device_mismatch": translate("Labels", "The change comes from another device"),
        "payload_too_large": translate("Labels", "The change is too large to send"),
    }
    label = known.get(code)
    if label is not None:
        return label
    return translate("Labels", "Refused by the server (%1)").replace("%1", code)
