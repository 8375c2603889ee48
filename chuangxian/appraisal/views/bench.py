"""The intake benchmark's bare endpoint: the same server, middleware and database, one INSERT.
Mounted only when settings.CHUANGXIAN_BENCH_BARE_ENDPOINT is true (bench/appraisal_intake.py
sets it in its own server process); never in a normal installation."""

import secrets

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chuangxian.appraisal.models import IntakeCounter


@require_POST
def bare(request: HttpRequest) -> HttpResponse:
    IntakeCounter.objects.create(
        round_id=int(request.POST.get("round", "0")),
        address_hash=secrets.token_hex(16),
        bucket=timezone.now(),
        count=1,
    )
    return HttpResponse(status=204)
