#!/bin/sh
# Roles: web (migrate every alias, then serve the whole service), api (serve the keyed
# API alone), ingest (store queued writes), worker and beat (Celery: the daily retention
# prune), or any manage.py command.
set -eu
role="${1:-web}"
serve() {
    exec granian --interface wsgi --host 0.0.0.0 --port "${PORT:-8000}" \
        --workers "${WEB_WORKERS:-2}" --blocking-threads "${WEB_THREADS:-8}" --no-ws \
        --respawn-failed-workers "$1"
}
case "$role" in
    web)
        python manage.py migrateall
        serve atrack.wsgi:application
        ;;
    api)
        serve atrack.wsgi_api:application
        ;;
    ingest)
        exec python manage.py ingest --processes "${INGEST_PROCESSES:-2}"
        ;;
    worker)
        exec celery -A atrack worker --loglevel "${LOG_LEVEL:-INFO}" \
            --concurrency "${WORKER_CONCURRENCY:-2}"
        ;;
    beat)
        # Exactly one beat: it schedules the daily retention prune.
        exec celery -A atrack beat --loglevel "${LOG_LEVEL:-INFO}" \
            --schedule "${ATRACK_VAR_DIR:-/var/lib/atrack}/celerybeat-schedule"
        ;;
    *)
        exec python manage.py "$@"
        ;;
esac
