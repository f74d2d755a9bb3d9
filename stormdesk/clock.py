"""The drill clock: maps wall time to simulated minutes at a chosen speed, with pause.

The engine never reads the wall clock; this is where the desk turns elapsed wall seconds
x speed into the simulated minute it advances the session to.
"""

from __future__ import annotations

from dataclasses import dataclass

SPEEDS = (1, 5, 10, 30, 60)


@dataclass(frozen=True, slots=True)
class DrillClock:
    """Simulated minute = anchor_minute + (wall - anchor_wall) / 60 x speed, unless paused."""

    speed: float = 10.0
    anchor_wall: float = 0.0
    anchor_minute: float = 0.0
    paused: bool = False

    def minute_at(self, wall_seconds: float) -> float:
        if self.paused:
            return self.anchor_minute
        return self.anchor_minute + max(0.0, wall_seconds - self.anchor_wall) / 60.0 * self.speed

    def pause(self, wall_seconds: float) -> DrillClock:
        return DrillClock(self.speed, wall_seconds, self.minute_at(wall_seconds), True)

    def resume(self, wall_seconds: float) -> DrillClock:
        return DrillClock(self.speed, wall_seconds, self.anchor_minute, False)

    def with_speed(self, speed: float, wall_seconds: float) -> DrillClock:
        return DrillClock(speed, wall_seconds, self.minute_at(wall_seconds), self.paused)

    def at_minute(self, minute: float, wall_seconds: float) -> DrillClock:
        """Re-anchor at ``minute`` (e.g. after the session was clamped at the drill's end)."""
        return DrillClock(self.speed, wall_seconds, minute, self.paused)
