"""One sync run: recover, read, decide (the core), write, record.

``engine`` runs it, ``reading`` reads both sides, ``execute`` applies a plan through
the sides, ``intents`` and ``ledger`` make each write's outcome durable, ``recovery``
resolves what a crash left pending.
"""
