import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialearn.settings.production")

from socialearn import fastpaths  # noqa: E402

application = fastpaths.wrap(get_wsgi_application())
