import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialearn.settings.production")

from django.urls import get_resolver  # noqa: E402

from socialearn import fastpaths  # noqa: E402

application = fastpaths.wrap(get_wsgi_application())

# What is loaded now (the settings, every app, model, view and URL) lives as long as the
# process. Left to the collector, each of its full collections walked all of it again, about
# once every few requests: a third of a small page's CPU. Frozen, the collector only looks
# at what requests make.
get_resolver().url_patterns  # noqa: B018 - imports every view
gc.collect()
gc.freeze()
