"""The WSGI application (`gunicorn chuangxian.wsgi`, or any WSGI server).

After start-up the URLconf is loaded and every object alive at that point (modules, models,
URL patterns, templates' loaders…) is moved out of the cyclic garbage collector's reach with
gc.freeze(): they live as long as the process, and otherwise every full collection walks all
of them again, which a busy server pays for on every few hundred requests."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangxian.settings")
application = get_wsgi_application()
# A missing or wrong field key stops the server here, before it serves or writes anything.
from chuangxian.orgs.keycheck import refuse_wrong_field_key  # noqa: E402

refuse_wrong_field_key()
get_resolver().url_patterns  # noqa: B018 (loads the URLconf now, before the freeze)
gc.freeze()
