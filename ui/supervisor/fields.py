"""Names of a visit's fields as reviewers and authors read them (`incomes.0.monthly_amount` ->
"收入 第1项 月金额")."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def _names() -> dict[str, str]:
    return {
        "visitors": QCoreApplication.translate("ReviewFields", "Visitors"),
        "started_at": QCoreApplication.translate("ReviewFields", "Started at"),
        "ended_at": QCoreApplication.translate("ReviewFields", "Ended at"),
        "present": QCoreApplication.translate("ReviewFields", "People present"),
        "housing_conditions": QCoreApplication.translate("ReviewFields", "Housing conditions"),
        "living_conditions": QCoreApplication.translate("ReviewFields", "Living conditions"),
        "members": QCoreApplication.translate("ReviewFields", "Family members"),
        "incomes": QCoreApplication.translate("ReviewFields", "Incomes"),
        "assets": QCoreApplication.translate("ReviewFields", "Assets"),
        "expenses": QCoreApplication.translate("ReviewFields", "Expenses"),
        "neighbour_interviews": QCoreApplication.translate("ReviewFields", "Neighbour interviews"),
        "photo_ids": QCoreApplication.translate("ReviewFields", "Photos"),
        "notice_of_duties_signed": QCoreApplication.translate(
            "ReviewFields", "Notice of duties signed"
        ),
        "signatures": QCoreApplication.translate("ReviewFields", "Signatures"),
        "finding": QCoreApplication.translate("ReviewFields", "Finding"),
        "finding_reasons": QCoreApplication.translate("ReviewFields", "Reasons for the finding"),
        "employment_reported_on": QCoreApplication.translate(
            "ReviewFields", "Employment reported on"
        ),
        "clue_ids": QCoreApplication.translate("ReviewFields", "Clues"),
        "eligibility": QCoreApplication.translate("ReviewFields", "Eligibility result"),
        "visit_date": QCoreApplication.translate("ReviewFields", "Visit date"),
        "kind": QCoreApplication.translate("ReviewFields", "Kind of visit"),
        "status": QCoreApplication.translate("ReviewFields", "Status"),
        "monthly_amount": QCoreApplication.translate("ReviewFields", "monthly amount"),
        "type": QCoreApplication.translate("ReviewFields", "type"),
        "relation": QCoreApplication.translate("ReviewFields", "relation"),
        "health": QCoreApplication.translate("ReviewFields", "health"),
        "disability_grade": QCoreApplication.translate("ReviewFields", "disability grade"),
        "labour_capacity": QCoreApplication.translate("ReviewFields", "labour capacity"),
        "for_disability": QCoreApplication.translate("ReviewFields", "for a disability"),
        "signer": QCoreApplication.translate("ReviewFields", "signer"),
        "signed_at": QCoreApplication.translate("ReviewFields", "signed at"),
        "attachment_id": QCoreApplication.translate("ReviewFields", "file"),
        "value": QCoreApplication.translate("ReviewFields", "value"),
        "note": QCoreApplication.translate("ReviewFields", "note"),
        "member_id": QCoreApplication.translate("ReviewFields", "member"),
        "name": QCoreApplication.translate("ReviewFields", "name"),
        "id_number": QCoreApplication.translate("ReviewFields", "ID number"),
        "description": QCoreApplication.translate("ReviewFields", "description"),
        "amount": QCoreApplication.translate("ReviewFields", "amount"),
        "statement": QCoreApplication.translate("ReviewFields", "statement"),
        "policy_id": QCoreApplication.translate("ReviewFields", "policy"),
        "policy_version": QCoreApplication.translate("ReviewFields", "policy version"),
        "category": QCoreApplication.translate("ReviewFields", "assistance category"),
        "household_size": QCoreApplication.translate("ReviewFields", "household size"),
        "counted_income": QCoreApplication.translate("ReviewFields", "counted income"),
        "per_capita_income": QCoreApplication.translate("ReviewFields", "per-capita income"),
        "per_capita_monetary_assets": QCoreApplication.translate(
            "ReviewFields", "per-capita monetary assets"
        ),
        "monthly_benefit": QCoreApplication.translate("ReviewFields", "monthly benefit"),
        "next_review_on": QCoreApplication.translate("ReviewFields", "next review"),
        "review_interval_months": QCoreApplication.translate("ReviewFields", "review interval"),
        "taper": QCoreApplication.translate("ReviewFields", "benefit taper"),
        # households and members, as the sync page names clashing or refused fields
        "head_name": QCoreApplication.translate("ReviewFields", "head of household"),
        "address": QCoreApplication.translate("ReviewFields", "address"),
        "registered_residence": QCoreApplication.translate("ReviewFields", "registered residence"),
        "actual_residence": QCoreApplication.translate("ReviewFields", "actual residence"),
        "phone": QCoreApplication.translate("ReviewFields", "phone"),
        "grid_id": QCoreApplication.translate("ReviewFields", "grid"),
        "next_review": QCoreApplication.translate("ReviewFields", "next review"),
        "household_id": QCoreApplication.translate("ReviewFields", "household"),
        "employed": QCoreApplication.translate("ReviewFields", "employed"),
        "employment": QCoreApplication.translate("ReviewFields", "employment"),
        "schooling": QCoreApplication.translate("ReviewFields", "schooling"),
        "special_status": QCoreApplication.translate("ReviewFields", "special status"),
        "lives_with_family": QCoreApplication.translate("ReviewFields", "lives with the family"),
        "has_able_supporter": QCoreApplication.translate("ReviewFields", "has an able supporter"),
    }


def field_label(path: str) -> str:
    """A field path in the user's language; unknown parts are shown as they are."""
    names = _names()
    parts = path.split(".")
    words = [names.get(parts[0], parts[0])]
    for part in parts[1:]:
        if part.isdigit():
            words.append(
                QCoreApplication.translate("ReviewFields", "item %1").replace(
                    "%1", str(int(part) + 1)
                )
            )
        else:
            words.append(names.get(part, part))
    return " ".join(words)


def _choice_labels() -> dict[str, dict[str, str]]:
    # The same texts (and contexts) as the visit form's row editors, so they share translations.
    translate = QCoreApplication.translate
    return {
        "incomes": {
            "wages": translate("IncomesStep", "Wages"),
            "business": translate("IncomesStep", "Business income"),
            "property": translate("IncomesStep", "Property income"),
            "pension": translate("IncomesStep", "Pension"),
            "transfer": translate("IncomesStep", "Transfers (support from relatives)"),
            "agriculture": translate("IncomesStep", "Farming"),
            "assistance": translate("IncomesStep", "Assistance payments"),
            "other": translate("IncomesStep", "Other"),
        },
        "assets": {
            "deposit": translate("AssetsStep", "Bank deposit"),
            "securities": translate("AssetsStep", "Securities"),
            "vehicle": translate("AssetsStep", "Vehicle"),
            "real_estate": translate("AssetsStep", "Real estate"),
            "business_registration": translate("AssetsStep", "Business registration"),
            "other": translate("AssetsStep", "Other"),
        },
        "expenses": {
            "medical": translate("ExpensesStep", "Medical"),
            "education": translate("ExpensesStep", "Education"),
            "employment_cost": translate("ExpensesStep", "Necessary cost of working"),
        },
    }


def field_value(path: str, raw: str) -> str:
    """A stored value as the user reads it: enum codes as labels, booleans as yes/no."""
    from app.domain import Finding, Health, LabourCapacity, Relation
    from ui.labels import finding_label, health_label, labour_label, relation_label

    parts = path.split(".")
    last = parts[-1]
    converters = {
        "relation": (Relation, relation_label),
        "health": (Health, health_label),
        "labour_capacity": (LabourCapacity, labour_label),
        "finding": (Finding, finding_label),
    }
    if last in converters:
        kind, show = converters[last]
        try:
            return str(show(kind(raw)))  # type: ignore[operator]
        except ValueError:
            return raw
    if last == "type" and parts[0] in ("incomes", "assets", "expenses"):
        return _choice_labels()[parts[0]].get(raw, raw)
    if raw in ("True", "False"):
        yes = raw == "True"
        return (
            QCoreApplication.translate("ReviewFields", "yes")
            if yes
            else QCoreApplication.translate("ReviewFields", "no")
        )
    return raw
