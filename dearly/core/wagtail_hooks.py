from wagtail import hooks

from . import routing

hooks.register("before_serve_page", routing.remember)
