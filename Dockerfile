# socialearn: one image for web (gunicorn), Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=socialearn.settings.production

# gettext compiles the translations (locale/*/LC_MESSAGES/*.po) into the image.
RUN apt-get update -q \
    && apt-get install -y -q --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system app && useradd --system --gid app --home-dir /app app
WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN mkdir -p socialearn communities mentoring expertqa challenges \
    && touch socialearn/__init__.py communities/__init__.py mentoring/__init__.py \
             expertqa/__init__.py challenges/__init__.py \
    && pip install . \
    && pip uninstall -y socialearn \
    && rm -rf socialearn communities mentoring expertqa challenges build *.egg-info

COPY . .
RUN for po in locale/*/LC_MESSAGES/*.po; do msgfmt --check -o "${po%.po}.mo" "$po" || exit 1; done
# Static files are collected into the image; `web` collects again on start (cheap, idempotent).
RUN SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build \
    REDIS_URL=redis://localhost:6379/0 python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p var/media var/beat \
    && chown -R app:app var

USER app
EXPOSE 8000
CMD ["gunicorn", "socialearn.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
