"""Screens for supervisors and agency admins: review queue, dashboards, spot checks, tasks."""
