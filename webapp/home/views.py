"""The first page after sign-in: an engineer's or client's sites; office roles go to the office."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from peewee import fn

from ..auth import scope
from ..models import Equipment, Location, Site

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    if current_user.is_office:
        return redirect(url_for("office.dashboard"))
    if current_user.role == "engineer":
        return redirect(url_for("pwa.shell"))  # engineers work in the offline app
    sites = list(scope.visible_sites(current_user).order_by(Site.name))
    counts = dict(
        Equipment.live()
        .select(Equipment.site, fn.COUNT(Equipment.id))
        .where(Equipment.site.in_([s.id for s in sites]))
        .group_by(Equipment.site)
        .tuples()
    )
    return render_template("home/sites.html", sites=sites, counts=counts)


@bp.route("/sites/<site_id>")
@login_required
def site(site_id):
    site = scope.get_site(current_user, site_id)
    locations = list(Location.live().where(Location.site == site).order_by(Location.name))
    equipment = list(
        Equipment.live().where(Equipment.site == site).order_by(Equipment.location, Equipment.name)
    )
    return render_template("home/site.html", site=site, locations=locations, equipment=equipment)
