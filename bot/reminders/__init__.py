"""Deadline reminders: the policy, the pure planner, the texts, and the outbox sender."""
