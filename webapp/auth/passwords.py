"""Password hashing with scrypt (memory-hard), through werkzeug."""

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 8
# A hash of a random password, checked when the account does not exist, so a wrong username
# costs the same time as a wrong password.
_DUMMY = generate_password_hash("not-a-real-password", method="scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify_password(stored_hash: str | None, password: str) -> bool:
    return check_password_hash(stored_hash or _DUMMY, password) and stored_hash is not None
