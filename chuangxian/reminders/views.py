from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from chuangxian.reminders.selectors import reminders_for
from chuangxian.reminders.services import reminder_mark_read


@require_GET
def reminder_list(request: HttpRequest) -> HttpResponse:
    show_resolved = request.GET.get("all") == "1"
    reminders = reminders_for(request.user, include_resolved=show_resolved)
    # One module's reminders (the 待办 lines on the home page link here by source).
    source = request.GET.get("source", "")[:40]
    if source:
        reminders = reminders.filter(source=source)
    page = Paginator(reminders, 50).get_page(request.GET.get("page"))
    context = {"page": page, "show_resolved": show_resolved, "source": source}
    return render(request, "reminders/list.html", context)


@require_POST
def reminder_open(request: HttpRequest, reminder_id: int) -> HttpResponse:
    reminder = get_object_or_404(reminders_for(request.user, include_resolved=True), pk=reminder_id)
    reminder_mark_read(reminder=reminder)
    return redirect(reminder.link or "reminders:list")
