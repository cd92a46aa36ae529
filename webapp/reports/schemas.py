"""Contracts of the round reports: the office list's filters."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import EXCLUDE, ValidationError, fields, validates_schema

from ..models.choices import ROUND_STATUSES
from ..validation import Choice, Schema, in_range


class RoundFilter(Schema):
    """Which rounds the office list and its exports hold. Empty values mean "any"."""

    class Meta:
        unknown = EXCLUDE  # a bookmarked address with an old parameter still opens

    site_id = fields.UUID(load_default=None)
    date_from = fields.Date(load_default=None)
    date_to = fields.Date(load_default=None)
    status = Choice(ROUND_STATUSES, load_default=None)
    abnormal = fields.Boolean(load_default=False)
    page = fields.Integer(load_default=1, validate=in_range(1, 100_000))

    @validates_schema
    def _dates_in_order(self, data, **kwargs):
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("The end date is before the start date."), "date_to")


def filter_args(args) -> dict[str, str]:
    """The query string without empty values (an untouched select or date box sends "")."""
    return {k: v.strip() for k, v in args.items() if v.strip()}
