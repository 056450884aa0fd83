# One image for the web server, the Celery worker and Celery beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WRC_VAR_DIR=/var/lib/wrc \
    STATIC_ROOT=/app/staticfiles

# WeasyPrint (PDF exports) needs Pango at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN pip install .
COPY . .

# collectstatic needs settings to import, not real secrets: a throwaway key for this step only.
RUN DJANGO_SETTINGS_MODULE=wrc.settings SECRET_KEY=collectstatic-only \
    python manage.py collectstatic --noinput --verbosity 0

RUN useradd --system --home-dir /app wrc \
    && mkdir -p /var/lib/wrc/media \
    && chown -R wrc /var/lib/wrc
USER wrc

ENV DJANGO_SETTINGS_MODULE=wrc.settings_production
EXPOSE 8000
CMD ["gunicorn", "wrc.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
