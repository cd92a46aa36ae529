"""The one module-level app, for WSGI servers: `gunicorn wsgi:app`."""

from webapp import create_app

app = create_app()
