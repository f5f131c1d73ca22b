"""Which functions may run as jobs. A job names its handler by dotted path; the worker runs only functions
marked with `@job_handler`, so a stored row can never make it import and call anything else."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kuochan.jobs.models import Job


class Progress(Protocol):
    def __call__(self, done: int, total: int, step: str) -> None: ...


# A handler returns the URL to send the user to, or (URL, a sentence saying what was done) for that page.
Handler = Callable[["Job", Progress], "str | tuple[str, str]"]

_HANDLERS: dict[str, Handler] = {}


def handler_path(handler: Handler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def job_handler(handler: Handler) -> Handler:
    """Mark a function as runnable by the worker. It gets the job (its `params`, `actor`) and a progress
    callback, and returns the URL the user is sent to when it is done, or that URL and a sentence saying what
    was done, shown there. For an API client, which has no use for a page, it may also set `job.result` to a
    small JSON object (the ids and counts of what it made), stored when it succeeds. Refusals are raised as
    ValidationError or PermissionDenied; their Chinese messages become the job's error."""
    _HANDLERS[handler_path(handler)] = handler
    return handler


def handler_for(path: str) -> Handler:
    """The marked function at `path`, importing its module first (the worker starts with none loaded)."""
    module, _, _name = path.rpartition(".")
    import_module(module)
    try:
        return _HANDLERS[path]
    except KeyError:
        raise LookupError(f"not a job handler: {path}") from None
