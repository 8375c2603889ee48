import datetime as dt

import pytest

from chuangxian.reminders.models import Reminder, Severity
from chuangxian.reminders.selectors import reminders_for
from chuangxian.reminders.services import reminders_sweep

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 22)


def test_term_reminders_ahead_then_escalated_and_idempotent(tree, client):
    tree.branch_a1.term_ends_on = TODAY + dt.timedelta(days=30)
    tree.branch_a1.save()
    tree.branch_b1.term_ends_on = TODAY - dt.timedelta(days=1)
    tree.branch_b1.save()

    first = reminders_sweep(today=TODAY, sources=["orgs.term"])
    assert first.opened == 2
    again = reminders_sweep(today=TODAY, sources=["orgs.term"])
    assert (again.opened, again.kept, again.resolved) == (0, 2, 0)

    ahead = Reminder.objects.get(organization=tree.branch_a1)
    assert ahead.severity == Severity.AHEAD
    # After expiry the alert goes up the tree, to the superior.
    escalated = Reminder.objects.get(severity=Severity.ESCALATED)
    assert escalated.organization == tree.town_b

    # The secretary of A1 sees theirs; the town_b administrator sees the escalated one.
    assert list(reminders_for(tree.secretary)) == [ahead]
    assert list(reminders_for(tree.outsider)) == [escalated]
    assert not reminders_for(tree.sibling_secretary).exists()

    # Renewing the term resolves the reminder on the next sweep.
    tree.branch_a1.term_ends_on = TODAY + dt.timedelta(days=5 * 365)
    tree.branch_a1.save()
    third = reminders_sweep(today=TODAY, sources=["orgs.term"])
    assert third.resolved == 1
    assert not reminders_for(tree.secretary).exists()

    client.force_login(tree.outsider)
    page = client.get("/reminders/").content.decode()
    assert "任期已于" in page
