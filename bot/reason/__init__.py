"""Reasoning: the one pure pass from facts to the final Diagnosis (`reason`)."""

from bot.reason.diagnosis import conclude, explains, reason

__all__ = ["conclude", "explains", "reason"]
