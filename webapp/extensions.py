"""Unbound extension objects. Never imports the app; `create_app` binds them."""

from flask_login import LoginManager
from peewee import DatabaseProxy

db = DatabaseProxy()
login_manager = LoginManager()
