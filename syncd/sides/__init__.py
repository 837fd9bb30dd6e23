"""The two tools as sides of one interface (:class:`~syncd.sides.base.VendorSide`):
:mod:`syncd.sides.moco` and :mod:`syncd.sides.clockodo` hold everything about
reading and writing one vendor above its HTTP client."""
