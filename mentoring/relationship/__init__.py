"""Mentoring after the match: the pair's agreement, goals, scheduled meetings, notes,
check-in surveys, the end of the commitment, and the outcomes coordinators read."""
