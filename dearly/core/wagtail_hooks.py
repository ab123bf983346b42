from django.urls import path

from wagtail import hooks

from . import dashboard, routing

hooks.register("before_serve_page", routing.remember)


@hooks.register("construct_page_action_menu")
def publish_first(menu_items, request, context):
    """Publish is the editor's visible button (Save draft moves into the menu beside it, and
    stays on Ctrl/Cmd+S). Wagtail lists it only for those who may publish; the others keep
    Save draft first. https://docs.wagtail.org/en/stable/reference/hooks.html#construct-page-action-menu
    """
    for index, item in enumerate(menu_items):
        if item.name == "action-publish":
            menu_items.insert(0, menu_items.pop(index))
            break


@hooks.register("construct_homepage_panels")
def waiting_panel(request, panels):
    panels.append(dashboard.WaitingPanel())


hooks.register(dashboard.WAITING_HOOK, dashboard.scheduled_pages)


@hooks.register("register_admin_urls")
def scheduled_pages_url():
    view = dashboard.ScheduledPagesView.as_view()
    return [path("scheduled/", view, name="dearly_scheduled_pages")]
