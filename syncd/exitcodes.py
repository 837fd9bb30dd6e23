"""Process exit codes, one meaning each (documented in the README)."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # the run failed, or some items failed (see the summary)
    CONFIG = 2  # bad configuration or command-line usage; nothing was done
    LOCKED = 3  # another syncd instance holds the writer lock
    REFUSED = 4  # the mass-delete guard refused the plan (--allow-mass-delete overrides)
    SCHEMA = 5  # the database schema is not current (run `syncd db upgrade` or pass --migrate)
    API = 6  # an API could not be reached or refused syncd (key, permission, URL, network)
