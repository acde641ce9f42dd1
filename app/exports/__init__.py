"""Exports and printouts of personal data: ledgers, the public-notice list, the visit form.

Pure Python (openpyxl, csv, HTML); `ui.printing` turns the visit form into a PDF with Qt. Every
writer takes the signed-in `role` and calls `ensure_may_export` first: contractors cannot
export or print personal data.

- `app.exports.gate`: `ensure_may_export(role)`, `ExportForbiddenError`, `PublicNoticeLeakError`
- `app.exports.ledger`: `LedgerRow`, `ledger_row(...)`, `write_ledger(path, rows, role=)`
- `app.exports.public_notice`: `PublicNoticeEntry`, `public_notice_entry(...)`,
  `write_public_notice(path, entries, role=)` (`.xlsx` or `.csv`), `check_public_cells(rows)`
- `app.exports.clue_ledger`: `ClueLedgerRow`, `clue_ledger_row(...)`, `write_clue_ledger(...)`
- `app.exports.visit_form`: `VisitForm`, `SignatureImage`, `visit_form_from_views(...)`,
  `signature_images(...)`, `build_visit_form(form, mask_ids=)` → `VisitFormDocument`
"""

from app.exports.gate import ExportForbiddenError, PublicNoticeLeakError, ensure_may_export

__all__ = ["ExportForbiddenError", "PublicNoticeLeakError", "ensure_may_export"]
