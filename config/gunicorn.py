"""Gunicorn's configuration in production: ``gunicorn -c config/gunicorn.py config.wsgi:application``.

Every value comes from the environment, with the defaults below. Serving is made fair to many keep-alive
clients (50 simulated workers were spread 32 / 9 / 6 / 3 over four workers when they all accepted from one
shared socket): with ``reuse_port`` each worker listens on its own ``SO_REUSEPORT`` socket, so the kernel
spreads new connections evenly over the workers instead of handing them to whichever wakes first; and
behind nginx (``deploy/nginx.conf``) each request reaches gunicorn on a connection of its own, so no
client stays pinned to a busy worker. ``bench/load_logging.py`` measures the result.
"""

import os


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Processes: a few per core (the work is mostly waiting for PostgreSQL); threads share each one's connections.
workers = env_int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = env_int("GUNICORN_THREADS", 4)
# Connections one worker holds at once, kept-alive ones included.
worker_connections = env_int("GUNICORN_WORKER_CONNECTIONS", 100)
reuse_port = True
backlog = env_int("GUNICORN_BACKLOG", 2048)
# Seconds an idle kept-alive connection stays open (nginx opens one per request, so this serves direct clients).
keepalive = env_int("GUNICORN_KEEPALIVE", 5)
# A request running longer than this has its worker restarted; reports render in Celery, not here.
timeout = env_int("GUNICORN_TIMEOUT", 60)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Workers are renewed now and then (the jitter keeps them from restarting together).
max_requests = env_int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 500)
# The proxy's X-Forwarded-Proto is trusted from these addresses only (nginx's, in docker-compose).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# The workers' heartbeat files live in memory: a container's disk can stall them into a false timeout.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No control socket: the image's home directory is read-only, and nothing here drives gunicorn through one.
control_socket_disable = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
