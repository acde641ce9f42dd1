"""Store tables (SQLModel, private to `app.store`) and the frozen read models handed out."""
