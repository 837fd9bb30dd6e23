"""`syncd sim moco|clockodo`: serve a simulated vendor account over HTTP.

The base URL is the first line on stdout (handy with `--port 0`; scripts
read only that line); the lines after it say how to authenticate, which
people and projects the account holds, and where the `/_sim/` control API
is. SIGINT and SIGTERM stop the server cleanly. Without `--seed`,
`syncd sim moco` serves the demo agency account
(`syncd.simulators.moco.agency_seed`, admin key `moco-admin-key`), and
`syncd sim clockodo` serves the clockodo package's `demo_seed()` if it has
one, else an empty account.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import signal
import sys
from collections.abc import Callable
from datetime import date
from types import FrameType
from typing import Any, NoReturn

import click

from syncd.exitcodes import ExitCode
from syncd.simulators.kit import Simulator, load_seed_file, serve_forever
from syncd.simulators.moco import MocoSimulator, agency_seed

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _fail(message: str) -> NoReturn:
    click.echo(f"syncd: {message}", err=True)
    sys.exit(int(ExitCode.CONFIG))


def _serve_options(default_port: int) -> Decorator:
    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        options = [
            click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind."),
            click.option(
                "--port",
                type=click.IntRange(0, 65535),
                default=default_port,
                show_default=True,
                help="Port to bind; 0 picks a free one.",
            ),
            click.option(
                "--seed",
                "seed_file",
                type=click.Path(dir_okay=False),
                help="JSON seed file (the simulator's seed format).",
            ),
            click.option(
                "--latency-ms",
                type=click.IntRange(min=0),
                default=0,
                help="Delay added to every API request.",
            ),
            click.option(
                "--agency",
                is_flag=True,
                help="Serve the agency of `syncd demo`: the same people and projects"
                " in MOCO and clockodo, with bookings of the last days (try"
                " `syncd mappings suggest` on it).",
            ),
            click.option(
                "--no-rate-limit",
                "no_rate_limit",
                is_flag=True,
                help="Switch the vendor's rate limit off.",
            ),
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _read_seed(path: str) -> dict[str, Any]:
    try:
        return load_seed_file(path)
    except OSError as exc:
        _fail(f"cannot read seed file {path}: {exc.strerror or exc}")
    except json.JSONDecodeError as exc:
        _fail(f"seed file {path} is not valid JSON: {exc}")
    except ValueError as exc:
        _fail(str(exc))


def _run(
    simulator: Simulator,
    seed_file: str | None,
    demo_seed: Callable[[], dict[str, Any]] | None,
    *,
    host: str,
    port: int,
    latency_ms: int,
) -> None:
    seed = _read_seed(seed_file) if seed_file else (demo_seed() if demo_seed else None)
    if seed is not None:
        try:
            simulator.seed(seed)
        except (ValueError, KeyError, TypeError) as exc:
            _fail(f"bad seed ({seed_file or 'demo'}): {exc}")
        # A seeded account lives as long as the process: kept out of the garbage
        # collector's scans, which otherwise pause a page now and then for tens of
        # milliseconds at 100,000 bookings (bench/sim_scale.py).
        gc.freeze()
    simulator.latency_seconds = latency_ms / 1000

    def announce(url: str) -> None:
        root = url.removesuffix(simulator.api_prefix)
        lines = [
            url,  # the first line, always: tests and scripts read it
            *simulator.describe(url),
            f"control: {root}/_sim/ (seed, state, reset, faults, clock, assumptions,"
            f" webhooks; GET {root}/_sim/coverage lists what is not simulated)",
        ]
        try:
            click.echo("\n".join(lines))
            sys.stdout.flush()
        except BrokenPipeError:  # the reader took the URL and left: keep serving
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process

    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the
    # signal to the previous handler: ours turns it into a clean exit 0.
    previous = {sig: signal.signal(sig, _exit_quietly) for sig in STOP_SIGNALS}
    try:
        serve_forever(simulator, host, port, on_ready=announce)
    except OSError as exc:
        _fail(f"cannot serve on {host}:{port}: {exc.strerror or exc}")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _exit_quietly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


@click.group()
def sim() -> None:
    """Serve a simulated MOCO or clockodo account (tests, demo, benchmarks).

    \b
    Covered, as the vendors document them (paths, fields, filters, paging,
    errors, auth, rate limits):
      moco      activities (incl. bulk, timers, billable seconds, disregard),
                session, profile, users, projects (incl. assigned), tasks,
                contracts and companies (read), /account/web_hooks
      clockodo  entries, entry groups, clock, entry texts, and customers,
                projects, subprojects, services, lump-sum services,
                co-workers and teams (read and write)
    Not simulated: everything else (invoices, absences, reports, MOCO's
    master-data writes, ...): those answer the vendor's 404, and
    GET /_sim/coverage lists them with the reason. Guesses where the vendor
    is silent are switchable: GET/POST /_sim/assumptions.

    \b
    Web hooks: POST /_sim/webhooks {"url": ..., "secret": ...} delivers
    activity (MOCO, signed) or entry (clockodo) events to a URL, from a
    background thread, retried on failure; GET /_sim/webhooks lists the
    deliveries; POST /_sim/webhooks/settings sets retry_base, max_attempts,
    timeout, shuffle, jitter, paused and seed.
    """


@sim.command("moco")
@_serve_options(default_port=8710)
def moco(seed_file: str | None, no_rate_limit: bool, agency: bool, **serve: Any) -> None:
    """Serve MOCO's API under http://HOST:PORT/api/v1.

    Without --seed: a demo agency (Staff key moco-admin-key). Authenticate
    with "Authorization: Token token=KEY"; the lines after the URL list keys,
    users and projects.
    """
    seed = _demo_agency("moco") if agency else agency_seed
    _run(MocoSimulator(rate_limit=not no_rate_limit), seed_file, seed, **serve)


@sim.command("clockodo")
@_serve_options(default_port=8720)
def clockodo(seed_file: str | None, no_rate_limit: bool, agency: bool, **serve: Any) -> None:
    """Serve clockodo's API under http://HOST:PORT/api.

    Without --seed: a demo agency (owner lena@nordlicht.example, key
    owner-key). Authenticate with X-ClockodoApiUser, X-ClockodoApiKey and
    X-Clockodo-External-Application; the lines after the URL list logins,
    co-workers and projects.
    """
    # Imported here: the clockodo simulator is a separate package that may be absent.
    try:
        module = importlib.import_module("syncd.simulators.clockodo")
        simulator = module.ClockodoSimulator(rate_limit=not no_rate_limit)
    except (ImportError, AttributeError) as exc:
        _fail(f"the clockodo simulator is not available: {exc}")
    demo_seed = _demo_agency("clockodo") if agency else getattr(module, "demo_seed", None)
    _run(simulator, seed_file, demo_seed if callable(demo_seed) else None, **serve)


def _demo_agency(side: str) -> Callable[[], dict[str, Any]]:
    """One side of `syncd demo`'s agency, with bookings up to today."""

    def seed() -> dict[str, Any]:
        from syncd.demo import scenario  # noqa: PLC0415 - only when asked for

        built = scenario.build(date.today())
        return built.moco_seed if side == "moco" else built.clockodo_seed

    return seed
