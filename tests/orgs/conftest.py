from collections.abc import Callable

import pytest
from django.test import Client


@pytest.fixture
def client_as(client: Client, tree) -> Callable[[str], Client]:  # type: ignore[no-untyped-def]
    """A test client logged in as one of the `tree` accounts; "anonymous" stays logged out."""

    def login(name: str) -> Client:
        if name != "anonymous":
            client.force_login(getattr(tree, name))
        return client

    return login
