#!/bin/sh
# Roles: web (migrate, then serve), worker, beat, or any manage.py command.
set -eu
case "${1:-web}" in
    web)
        python manage.py migrateall
        exec granian --interface wsgi --host 0.0.0.0 --port "${PORT:-8000}" \
            --workers "${WEB_WORKERS:-2}" --blocking-threads "${WEB_THREADS:-4}" --no-ws \
            atrack.wsgi:application
        ;;
    worker)
        exec celery -A atrack worker --loglevel "${LOG_LEVEL:-INFO}" --concurrency "${WORKER_CONCURRENCY:-2}"
        ;;
    beat)
        exec celery -A atrack beat --loglevel "${LOG_LEVEL:-INFO}" --schedule /var/lib/atrack/celerybeat-schedule
        ;;
    *)
        exec python manage.py "$@"
        ;;
esac
