"""The central server: FastAPI + SQLModel, SQLite by default, PostgreSQL in production."""
