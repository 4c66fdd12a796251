"""Watches: archive intake, incidents (a pure state machine), the follower with its lease,
and the watches of each channel with their rules."""
