# The logged-in client fixture of the orglife tests serves these too.
from tests.orglife.conftest import client_as

__all__ = ["client_as"]
