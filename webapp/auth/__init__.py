"""Who is signed in (sessions, login, CSRF, throttling) and what they may see and do
(scope.py, permissions.py): the access layer every feature uses."""

# Modules other packages may import (tests/test_architecture.py); the rest is this package's own.
PUBLIC = (
    "csrf",
    "login",
    "operations",
    "passwords",
    "permissions",
    "schemas",
    "scope",
    "sessions",
    "signin",
    "throttle",  # the counters: password sign-ins here, passkey challenges (passkeys/views.py)
)
