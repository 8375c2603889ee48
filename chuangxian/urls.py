from django.conf import settings
from django.contrib.staticfiles.views import serve as serve_static
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from chuangxian.home.views import home
from chuangxian.orgs.views.auth import login_view, logout_view
from chuangxian.orgs.views.display import display_set
from chuangxian.orgs.views.two_factor import login_verify

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", login_view, name="login"),
    path("accounts/login/verify/", login_verify, name="login_verify"),
    path("accounts/logout/", logout_view, name="logout"),
    path("", include("chuangxian.orgs.urls")),
    path("roster/", include("chuangxian.roster_io.urls")),
    path("reminders/", include("chuangxian.reminders.urls")),
    path("workdays/", include("chuangxian.workdays.urls")),
    path("campaigns/", include("chuangxian.campaigns.urls")),
    path("commitments/", include("chuangxian.commitments.urls")),
    path("orglife/", include("chuangxian.orglife.urls")),
    path("learning/", include("chuangxian.learning.urls")),
    path("dues/", include("chuangxian.dues.urls")),
    path("appraisal/", include("chuangxian.appraisal.urls")),
    path("openness/", include("chuangxian.openness.urls")),
    path("support/", include("chuangxian.support.urls")),
    path("cases/", include("chuangxian.cases.urls")),
    path("honors/", include("chuangxian.honors.urls")),
    path("reports/", include("chuangxian.reports.urls")),
    # Public pages of the modules live under /public/ too, each in its own namespace.
    path("public/commitments/", include("chuangxian.commitments.public_urls")),
    path("public/appraisal/", include("chuangxian.appraisal.public_urls")),
    path("public/calendar/", include("chuangxian.reports.public_urls")),
    path("public/openness/", include("chuangxian.openness.public_urls")),
    path("public/cases/", include("chuangxian.cases.public_urls")),
    path("public/honors/", include("chuangxian.honors.public_urls")),
    path("public/", include("chuangxian.portal.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("display/", display_set, name="display_set"),
    path("favicon.ico", RedirectView.as_view(url="/static/chuangxian/favicon.ico", permanent=True)),
]

if settings.SERVE_STATIC:
    # The embedded install has no web server in front; a production install sets
    # CHUANGXIAN_SERVE_STATIC=0 and lets nginx serve STATIC_ROOT.
    urlpatterns += [
        re_path(r"^static/(?P<path>.*)$", serve_static, {"insecure": True}),
    ]
