"""StormDesk's scorer: per-reply assessments and session scorecards (see docs/scoring.md).

Kept light on purpose: importing the package loads no lexicons, detectors or HTTP clients;
import the submodules you need (``scoring.assess``, ``scoring.scorecard``, ``scoring.pii``...).
"""

#: Bumped whenever a change to rules, lexicons or weights can change a score (year.month.n).
SCORER_VERSION = "2026.12.2"
