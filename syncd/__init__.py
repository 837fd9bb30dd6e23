"""syncd keeps time bookings in MOCO and clockodo in agreement, in both directions."""

__version__ = "0.1.0"
