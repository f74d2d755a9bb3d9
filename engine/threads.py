"""What the engine remembers per thread beyond the events, and the random streams per thread.

The thread's public state (who wrote, what they said last, whether they wait, replies,
resolution...) lives in the shared projection (``engine.projection.ThreadState``), folded from
the events. ``ThreadLife`` keeps only what no event says: stale-timer generations, how the
brand's replies landed (the reply-quality memory the feedback card reads), the customer's
current mood (a status update calms waiting customers without an event), reach weight and
spread bookkeeping.

``ThreadStreams`` derives the randomness of everything a trainee causes, or that belongs to
one customer's conversation, from the drill's seed and a stable key (thread id, purpose,
turn), so answering thread A never draws from the stream that writes thread B or the flood.
"""

from __future__ import annotations

import hashlib
import math
import struct
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, count, repeat
from typing import Any, Protocol, TypeVar

from engine.projection import ThreadState

#: 2**-53: turns the top 53 bits of a 64-bit word into a float in [0, 1) (as random() does).
_TO_UNIT = 1.0 / (1 << 53)
_PAIR = struct.Struct("<2Q")
_BLOCK = struct.Struct("<16I")
#: 2**-32: a 32-bit word as a float in [0, 1). A thread's post now takes 15-25 draws (typing
#: and composition draw too, issue 13); sixteen 32-bit draws per digest halve the digests a
#: post needs, and 32 bits are plenty for picking among a bank's few hundred templates.
_TO_UNIT_32 = 1.0 / (1 << 32)
T = TypeVar("T")


class Stream(Protocol):
    """The draws the engine makes. ``random.Random`` (the flood) and ``HashStream`` (a thread)
    both provide them, so the writer, the people factory and the rules take either."""

    def random(self) -> float: ...

    def choice(self, seq: Sequence[T]) -> T: ...

    def choices(self, population: Sequence[T], *, k: int = 1) -> list[T]: ...

    def randint(self, a: int, b: int) -> int: ...

    def uniform(self, a: float, b: float) -> float: ...

    def gauss(self, mu: float, sigma: float) -> float: ...

    def expovariate(self, lambd: float) -> float: ...

    def paretovariate(self, alpha: float) -> float: ...


#: word -> float in [0, 1) as a C callable (word * 2**-32): no Python loop per draw
_SCALE = _TO_UNIT_32.__mul__


def _block(keyed: Any, index: int) -> Iterator[float]:
    """Sixteen uniform draws: blake2b-512 of (key, block number), 32 bits each. The block
    number has a fixed width, so (key, block) pairs of different keys never collide."""
    digest = keyed.copy()
    digest.update(index.to_bytes(4, "little"))
    return map(_SCALE, _BLOCK.unpack(digest.digest()))


class HashStream:
    """A random stream that costs nothing to seed: blake2b of its key in counter mode.

    A seeded ``random.Random`` costs about 17,000 instructions (4-5 us) to build its Mersenne
    Twister state, and the engine needs one per customer post it writes for a thread (a
    follow-up needs 15-25 draws); this stream is built in under 1 us and pays ~1 us per
    sixteen draws (callgrind and timeit on the 2-core machine). Draws are uniform to 32 bits;
    ``choice`` and ``randint`` scale one draw (bias below 2**-20 for the small ranges used).
    """

    __slots__ = ("random",)

    def __init__(self, keyed: Any) -> None:
        # a C-level iterator over lazily computed blocks: each draw is one __next__ call
        self.random: Callable[[], float] = chain.from_iterable(
            map(_block, repeat(keyed), count())).__next__

    def choice(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def choices(self, population: Sequence[T], *, k: int = 1) -> list[T]:
        draw, n = self.random, len(population)
        return [population[int(draw() * n)] for _ in range(k)]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.random()

    def gauss(self, mu: float = 0.0, sigma: float = 1.0) -> float:
        """Box-Muller (one value per call; ``random.Random`` caches the second)."""
        radius = math.sqrt(-2.0 * math.log(1.0 - self.random()))
        return mu + sigma * radius * math.cos(2.0 * math.pi * self.random())

    def expovariate(self, lambd: float = 1.0) -> float:
        return -math.log(1.0 - self.random()) / lambd

    def paretovariate(self, alpha: float) -> float:
        return 1.0 / (1.0 - self.random()) ** (1.0 / alpha)


class ThreadStreams:
    """Random streams derived from a drill's seed and a key: ``thread id/purpose/turn...``.

    The same seed and key give the same stream in every run, whatever else happened, so a
    customer's follow-ups, reactions, spread and feedback card depend only on their own thread
    (and on what the trainee did in it), never on how many draws other threads made. Keys are
    built by the caller as ``f"{thread_id}/{purpose}/{turn}"`` (thread ids hold no ``/``).
    """

    def __init__(self, seed: int) -> None:
        self._pairs = hashlib.blake2b(f"stormdesk/{int(seed)}/pair/".encode(), digest_size=16)
        self._streams = hashlib.blake2b(f"stormdesk/{int(seed)}/stream/".encode())

    def pair(self, key: str) -> tuple[float, float]:
        """Two uniform draws in [0, 1) for ``key`` (a customer's patience: one hash)."""
        digest = self._pairs.copy()
        digest.update(key.encode())
        high, low = _PAIR.unpack(digest.digest())
        return (high >> 11) * _TO_UNIT, (low >> 11) * _TO_UNIT

    def rng(self, key: str) -> HashStream:
        """A stream of its own for ``key`` (texts, reactions, spread, feedback cards)."""
        keyed = self._streams.copy()
        keyed.update(key.encode())
        return HashStream(keyed)


def poisson(rng: Stream, mean: float) -> int:
    """A Poisson draw by Knuth's product of uniforms (fine for the small means of spread)."""
    limit = math.exp(-mean)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


@dataclass(slots=True)
class ThreadLife:
    """The engine's private memory of one thread (public state: ``state``, the projection's)."""

    state: ThreadState
    #: the opening's persona (read on every follow-up; a field is cheaper than the property)
    persona: str
    #: reach weight in the reputation index: 1 + log10(1 + followers)
    weight: float
    #: the customer's mood now; the next post reports it (status updates move it silently)
    mood: float
    #: bumped on every answer, resolve and hide, so a timer scheduled earlier knows it is stale
    generation: int = 0
    amplified: bool = False
    #: quotes of this thread that opened threads of their own (their ids: ``<id>q<n>``)
    quotes: int = 0
    #: how the brand's replies landed (what the feedback card remembers)
    best_empathy: int = -1
    asked_pii_public: bool = False
    asked_password: bool = False
    dismissed: bool = False
    #: follow-ups a voice is writing ahead, by attempt: (bank text, voice request)
    pending: dict[int, Any] | None = None
