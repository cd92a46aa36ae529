"""The JSON API's edge: parse the body with a schema, call the view, dump with a schema.

`endpoint` attaches its contract to the view function; `openapi_document` reads those contracts
back from the URL map, so the OpenAPI document can never drift from what the views accept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields
from peewee import DatabaseError

from .db import write_transaction
from .errors import ApiError, forbidden, validation_error
from .records import StaleRecord

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ATTEMPTS = 3  # a write transaction that lost a race runs again, this many times in all
# PostgreSQL's "try the transaction again": a serialisation failure, a deadlock it broke
RETRYABLE_STATES = frozenset({"40001", "40P01"})


@dataclass
class Contract:
    summary: str
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    response: type[Schema] | None = None
    many: bool = False
    status: int = 200
    roles: tuple[str, ...] = ()  # empty: any signed-in user
    public: bool = False  # no sign-in needed
    transaction: bool = True  # False: the view commits in steps of its own (password sign-in)
    tags: list[str] = field(default_factory=list)


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields = fields.Dict()


class ErrorEnvelope(Schema):
    error = fields.Nested(ErrorBody, required=True)


def read_json_object() -> dict[str, Any]:
    """The request body as a JSON object, or a clear 4xx."""
    if not request.is_json:
        raise ApiError(
            415, "unsupported_media_type", _("Send JSON with Content-Type: application/json.")
        )
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # nested past any real body too
        raise ApiError(400, "malformed_json", _("The body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid", _("The body must be a JSON object."))
    return data


def require_role(roles: tuple[str, ...]) -> None:
    if not current_user.is_authenticated:
        raise ApiError(401, "unauthenticated", _("Please sign in again."))
    if roles and current_user.role not in roles:
        raise forbidden()


def load(schema: Schema, data: Any) -> Any:
    try:
        return schema.load(data)
    except ValidationError as err:
        raise validation_error(err.normalized_messages()) from None


def _sqlstate(err: BaseException) -> str | None:
    for cause in (err, *err.args[:1], err.__cause__, err.__context__):
        code = getattr(cause, "pgcode", None)
        if code:
            return code
    return None


def _where() -> tuple[str, str]:
    return request.method, request.path


def run_write(view: Callable, *args, **kwargs) -> Any:
    """Run a writing view in one transaction; when it lost a race (a row changed after it was
    read: `StaleRecord`; or the database broke a deadlock), roll back and run it again from
    the start, at most ATTEMPTS times. Then a 409 (stale) or 503 (busy) in the envelope; the
    device keeps its change and sends it again."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with write_transaction():
                return view(*args, **kwargs)
        except StaleRecord as err:
            current_app.logger.warning("%s %s ran again (%d): %s", *_where(), attempt, err)
            if attempt == ATTEMPTS:
                raise ApiError(
                    409,
                    "stale",
                    _("Someone changed this record at the same moment. Please try again."),
                ) from None
        except DatabaseError as err:
            if _sqlstate(err) not in RETRYABLE_STATES:
                raise
            current_app.logger.warning(
                "%s %s ran again (%d): SQLSTATE %s", *_where(), attempt, _sqlstate(err)
            )
            if attempt == ATTEMPTS:
                raise ApiError(
                    503,
                    "busy",
                    _("The server is busy. Nothing was saved; please try again shortly."),
                    headers={"Retry-After": "2"},
                ) from None
    raise AssertionError("unreachable")


def endpoint(bp: Blueprint, rule: str, methods: list[str], **contract: Any) -> Callable:
    """Register a JSON view with its contract.

    The view gets `body=` and/or `query=` (loaded data) as keyword arguments and returns either
    a model/dict to dump with `response`, or a ready Flask response. Write methods run in one
    transaction that commits when the view returns, run again when it lost a race (`run_write`;
    unless `transaction=False`: such a view commits in steps of its own and runs once).
    """
    spec = Contract(**contract)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not spec.public:
                require_role(spec.roles)
            if spec.body is not None:
                kwargs["body"] = load(spec.body(), read_json_object())
            if spec.query is not None:
                kwargs["query"] = load(spec.query(), request.args.to_dict())
            if request.method in WRITE_METHODS and spec.transaction:
                result = run_write(view, *args, **kwargs)
            else:
                result = view(*args, **kwargs)
            if spec.response is None or not _is_data(result):
                return result
            dumped = spec.response(many=spec.many).dump(result)
            return jsonify(dumped), spec.status

        wrapped.contract = spec
        bp.add_url_rule(rule, view_func=wrapped, methods=methods)
        return wrapped

    return decorator


def _is_data(result: Any) -> bool:
    return not hasattr(result, "status_code") and not isinstance(result, tuple)


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def openapi_document(app: Flask) -> dict[str, Any]:
    spec = APISpec(
        title="Rounds API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "JSON API of Rounds. Errors use one envelope: ErrorEnvelope."},
    )
    spec.components.schema("ErrorEnvelope", schema=ErrorEnvelope)
    error_ref = {"content": {"application/json": {"schema": "ErrorEnvelope"}}}
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions.get(rule.endpoint)
        contract: Contract | None = getattr(view, "contract", None)
        if contract is None:
            continue
        path = _openapi_path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {
                "summary": contract.summary,
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "responses": {
                    str(contract.status): {"description": "OK"},
                    "default": {"description": "Error", **error_ref},
                },
            }
            if contract.tags:
                op["tags"] = contract.tags
            params = [
                {"in": "path", "name": arg, "required": True, "schema": {"type": "string"}}
                for arg in sorted(rule.arguments)
            ]
            if contract.query is not None:
                params.append({"in": "query", "schema": contract.query})
            if params:
                op["parameters"] = params
            if contract.body is not None:
                op["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": contract.body}},
                }
            if contract.response is not None:
                schema: Any = contract.response
                if contract.many:
                    schema = {"type": "array", "items": contract.response}
                op["responses"][str(contract.status)]["content"] = {
                    "application/json": {"schema": schema}
                }
            if contract.roles:
                op["x-roles"] = list(contract.roles)
            paths.setdefault(path, {})[method.lower()] = op
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
