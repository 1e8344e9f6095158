"""One random stream per mechanism, per week and per account: common random numbers that survive a lever change.

A run's randomness comes from one root :class:`numpy.random.SeedSequence` (the run's seed).  Each mechanism
(awareness, campaigns, inquiry, lead review, selling, churn, rotations, blame ...) draws from its own child
stream, keyed by the mechanism's *name* (a CRC-32 of it, so adding a mechanism moves no other's numbers),
and every week each stream restarts at its own block (the stream advanced by ``week x 2**40`` draws, far
more than a week uses), so a mechanism that draws more this week in one arm than in the other does not move
its own draws of later weeks either.  Two arms of a paired comparison on the same seed therefore share every
draw that the lever they differ by does not touch: a lead SLA's compliance draws no longer shift the selling
draws, and cross-training's rotations no longer shift the churn draws.

Usage (what the model does)::

    streams = Streams(np.random.SeedSequence(seed))
    rng = streams("churn", week=3)      # the churn stream, positioned at week 3's block

Within a week a stream is an ordinary :class:`numpy.random.Generator`: successive calls continue it.
Build-time draws (the accounts' traits, the staff) use week 0's block of their own streams.

Within a week, two arms still differ in *which* accounts a rule draws for (one more lead in one arm shifts the
draws of every later lead).  So the rules give each account its own draw, a function of (mechanism, week,
account) only:

* over a set that is most of the market (campaign reach, awareness, inquiry, the prospects a rep screens), one
  draw per account of the market from the week's generator, indexed by account
  (``stream.random(market.size)[pool]``);
* over a small set (leads, opportunities, customers, staff), a counter-based draw (:meth:`Streams.uniform`):
  SplitMix64's output function (Steele, Lea & Flood 2014, *OOPSLA*) applied to the mechanism's key, the week,
  the draw's number and the account's index, so its cost is proportional to the set, not to the market.

Account i's lead-review read in week 30 is then the same number in every arm of a paired comparison, whatever
else the arms do.
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy.special import ndtri

WEEK_BLOCK = 2**40
"""Draws reserved for one week of one stream (each stream is advanced by ``week x WEEK_BLOCK`` at the week's
start; a week uses at most a few million draws)."""

MECHANISMS = (
    # build time: the accounts' fixed traits, the installed base, the staff
    "fit", "price_sensitivity", "urgency", "initial_awareness", "installed_base", "marketer_experience",
    "rep_skill",
    # every week, in the order of the business week
    "rotation", "campaign_broad", "campaign_targeted", "awareness", "inquiry", "lead_qualification",
    "lead_routing", "lead_review", "lead_pickup", "sla_compliance", "in_market", "discovery", "approval", "selling",
    "prospecting", "satisfaction", "expansion", "churn", "blame",
)
"""Every named stream.  A draw outside these names is refused, so a new mechanism declares its stream here."""


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1, _MIX_2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_SHIFT_30, _SHIFT_27, _SHIFT_31, _SHIFT_11 = (np.uint64(k) for k in (30, 27, 31, 11))
_TO_UNIT = 1.0 / 2**53
_MASK = (1 << 64) - 1


def _splitmix_int(x: int) -> int:
    """SplitMix64's output function on one Python integer (the keys of the counter-based draws)."""
    x &= _MASK
    x = ((x ^ (x >> 30)) * int(_MIX_1)) & _MASK
    x = ((x ^ (x >> 27)) * int(_MIX_2)) & _MASK
    return x ^ (x >> 31)


def stream_key(name: str) -> int:
    """The spawn key of a mechanism's stream: a CRC-32 of its name (stable across versions and orderings)."""
    return zlib.crc32(name.encode())


class Streams:
    """The run's named random streams.

    Args:
        root: the run's seed sequence; each stream is its child ``spawn_key + (stream_key(name),)``.
    """

    def __init__(self, root: np.random.SeedSequence):
        self.root = root
        self._bits: dict[str, np.random.PCG64] = {}
        self._start: dict[str, dict] = {}
        self._generators: dict[str, np.random.Generator] = {}
        self._positioned: dict[str, int] = {}
        self._keys: dict[str, int] = {}
        self._week_keys: dict[tuple[str, int], np.uint64] = {}
        """The counter-based draws' keys of the week ``_keys_week``, by (mechanism, draw)."""
        self._keys_week = -1
        for name in MECHANISMS:
            child = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, stream_key(name)))
            self._keys[name] = int(child.generate_state(1, np.uint64)[0])
            bits = np.random.PCG64(child)
            self._bits[name] = bits
            self._start[name] = bits.state
            self._generators[name] = np.random.Generator(bits)
            self._positioned[name] = 0

    @classmethod
    def for_rng(cls, rng) -> Streams:
        """The streams of a run seeded with ``rng``: an int or ``SeedSequence`` is the root itself; a Generator
        spawns a child root (so two models built from one generator get different, reproducible streams);
        None draws fresh entropy."""
        if isinstance(rng, np.random.Generator):
            return cls(rng.bit_generator.seed_seq.spawn(1)[0])
        if isinstance(rng, np.random.SeedSequence):
            return cls(rng)
        return cls(np.random.SeedSequence(None if rng is None else int(rng)))

    def __call__(self, name: str, week: int = 0) -> np.random.Generator:
        """The generator of mechanism ``name`` in ``week`` (repositioned at the week's block on its first use in
        that week; later calls in the same week continue it)."""
        try:
            generator = self._generators[name]
        except KeyError:
            raise KeyError(f"{name!r} is not a random stream: declare it in sim.streams.MECHANISMS "
                           f"(streams are {', '.join(MECHANISMS)})") from None
        if self._positioned[name] != week:
            bits = self._bits[name]
            bits.state = self._start[name]
            bits.advance(week * WEEK_BLOCK)
            self._positioned[name] = week
        return generator

    def _key(self, name: str, week: int, draw: int) -> np.uint64:
        """The counter-based draws' key of (mechanism, week, draw), cached for the week."""
        if week != self._keys_week:
            self._week_keys, self._keys_week = {}, week
        key = self._week_keys.get((name, draw))
        if key is None:
            if name not in self._keys:
                self(name)  # the same error as for a generator
            mixed = _splitmix_int(week * 0x632BE59BD9B4E019 + draw * 0x8CB92BA72F3D8DD7)
            key = self._week_keys[(name, draw)] = np.uint64(_splitmix_int(self._keys[name] ^ mixed))
        return key

    def uniform(self, name: str, week: int, ids: np.ndarray, draw: int = 0) -> np.ndarray:
        """One uniform in [0, 1) per entry of ``ids`` (account indices, rep indices or staff ids): a function of
        the run's seed, the mechanism ``name``, the ``week``, the ``draw`` (0, 1, ... for a mechanism that needs
        several numbers per account in a week) and the id only, whatever else is drawn.

        SplitMix64's output function of ``id x golden + key(name, week, draw)``, its top 53 bits scaled to
        [0, 1); written with in-place unsigned arithmetic (wrapping modulo 2**64) and keys cached for the week."""
        return self.uniforms(week, ids, ((name, draw),))[0]

    def uniforms(self, week: int, ids: np.ndarray, draws: tuple[tuple[str, int], ...]) -> np.ndarray:
        """Several draws per id at once, one row per ``(mechanism, draw)`` of ``draws``: row j equals
        ``uniform(name_j, week, ids, draw_j)`` (one pass of the arithmetic for all rows)."""
        keys = np.array([[self._key(name, week, draw)] for name, draw in draws], dtype=np.uint64)
        x = np.asarray(ids).astype(np.uint64)[None, :] * _GOLDEN + keys
        x ^= x >> _SHIFT_30
        x *= _MIX_1
        x ^= x >> _SHIFT_27
        x *= _MIX_2
        x ^= x >> _SHIFT_31
        x >>= _SHIFT_11
        return x * _TO_UNIT

    def normal(self, name: str, week: int, ids: np.ndarray, sd: float, draw: int = 0) -> np.ndarray:
        """One normal draw of mean 0 and standard deviation ``sd`` per id (:func:`to_normal` of :meth:`uniform`)."""
        return to_normal(self.uniform(name, week, ids, draw), sd)


def to_index(u: np.ndarray, n: int) -> np.ndarray:
    """Whole numbers 0 .. n - 1 drawn uniformly from uniforms in [0, 1) (a rep, a marketer)."""
    return np.minimum((u * n).astype(np.int64), n - 1)


def to_normal(u: np.ndarray, sd: float) -> np.ndarray:
    """Normal draws of mean 0 and standard deviation ``sd`` from uniforms in [0, 1): the inverse normal CDF (a
    uniform of exactly 0 maps to the smallest positive double first)."""
    return sd * ndtri(np.maximum(u, 2.0**-54))
