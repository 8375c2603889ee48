"""Producers of reminders. A module registers a function that, for a day, yields what is due;
the sweep (`chuangxian send_reminders`, or the periodic task) collects them all."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Due:
    key: str
    source: str
    severity: str
    text: str
    link: str = ""
    due_on: dt.date | None = None
    user: Any = None  # an orgs.User
    organization: Any = None  # an orgs.Organization


Producer = Callable[[dt.date], Iterable[Due]]
_producers: dict[str, Producer] = {}


def register(name: str) -> Callable[[Producer], Producer]:
    def decorator(producer: Producer) -> Producer:
        _producers[name] = producer
        return producer

    return decorator


def producers() -> dict[str, Producer]:
    return dict(_producers)
