# syntax=docker/dockerfile:1
#
# The portal's production image: gunicorn on port 8000, as a non-root user. The same image runs the
# Celery worker and beat (see docker-compose.yml). Build: docker build -t shegong-portal .

# --- front-end packages (npm ci); only node_modules leaves this stage, and only during the build ---
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# --- what both the build and the final image need at run time --------------------------------------
FROM python:3.11-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH
# WeasyPrint 70 loads gobject, pango, pangoft2, harfbuzz (+ subset) and fontconfig with cffi;
# fonts-wqy-zenhei is the source of the PDF font subset and the complete fallback behind it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libglib2.0-0 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 \
        fonts-wqy-zenhei \
    && rm -rf /var/lib/apt/lists/*

# --- build: Python packages, vendored assets, PDF font, translations, static files ------------------
FROM base AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
WORKDIR /app
COPY . .
RUN --mount=type=bind,from=assets,source=/app/node_modules,target=/app/node_modules \
    python scripts/vendor_assets.py
# Settings refuse DEBUG=0 without a SECRET_KEY: a throwaway one serves these build steps only.
RUN export DEBUG=0 SECRET_KEY=build-only-not-a-secret \
        PDF_FONT_DIR=/app/var/fonts STATIC_ROOT=/app/var/staticfiles \
    && python manage.py build_pdf_font \
    && if find . -name '*.po' | grep -q .; then python manage.py compilemessages --verbosity 0; fi \
    && python manage.py collectstatic --noinput --verbosity 0

# --- final image -----------------------------------------------------------------------------------
FROM base
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home --shell /usr/sbin/nologin portal
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
# The code stays root-owned and read-only to the service; only media (uploads, generated reports)
# is written, into a volume shared by web and worker.
# Static files too: the web service collects them again into the volume nginx serves (docker-compose.yml).
RUN mkdir -p /app/var/media && chown portal:portal /app/var/media /app/var/staticfiles
ENV DEBUG=0 \
    PDF_FONT_DIR=/app/var/fonts \
    STATIC_ROOT=/app/var/staticfiles \
    MEDIA_ROOT=/app/var/media \
    WEB_CONCURRENCY=3
USER portal
EXPOSE 8000
# Workers, threads, keep-alive and timeouts come from the environment (config/gunicorn.py).
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
