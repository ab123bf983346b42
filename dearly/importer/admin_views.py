"""Moving in from the admin: upload an export, read its dry run, import it as a background task
and follow it to its report (runs.py does the work; docs/moving-in.md, "From the admin").

Every view needs `importer.run_import`; every change is a POST with CSRF. The upload is read
by uploads.ExportUploadHandler, which must be in place before anything reads the body, so its
view is exempt from the CSRF middleware and checks the token itself once the handler is set."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from django_tasks import task_backends
from django_tasks.backends.immediate import ImmediateBackend

from . import runs
from .forms import ExportForm
from .models import ImportRun
from .tasks import import_export
from .uploads import ExportUploadHandler, display_name

PERMISSION = "importer.run_import"
RUNS_LISTED = 20
REFRESH_SECONDS = 3
State = ImportRun.State


def require_importer(user):
    if not user.has_perm(PERMISSION):
        raise PermissionDenied


class ImporterRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        require_importer(request.user)
        return super().dispatch(request, *args, **kwargs)


class MoveInView(ImporterRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "importer/admin/index.html"
    page_title = "Move in"
    header_icon = "upload"
    form = None
    refusal = ""

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "form": self.form or ExportForm(),
                "refusal": self.refusal,
                "active": runs.active_run(),
                "runs": ImportRun.objects.select_related("started_by")[:RUNS_LISTED],
                "max_mb": settings.IMPORT_MAX_UPLOAD_SIZE // (1024 * 1024),
            }
        )
        return context


@csrf_exempt
@require_POST
def upload_view(request):
    require_importer(request.user)
    busy = runs.active_run()
    run_id = uuid.uuid4()
    handler = ExportUploadHandler(
        request, None if busy else runs.folder(run_id), settings.IMPORT_MAX_UPLOAD_SIZE
    )
    request.upload_handlers = [handler]  # before anything reads the body
    try:
        return _upload(request, run_id, handler, busy)
    finally:
        if not ImportRun.objects.filter(pk=run_id).exists():
            runs.remove_files(run_id)  # refused: nothing is kept


@csrf_protect
def _upload(request, run_id, handler, busy):
    form = ExportForm(request.POST, request.FILES, too_large=handler.too_large)
    refusal = runs.busy_message(busy) if busy else ""
    if not refusal and form.is_valid():
        data = form.cleaned_data
        for upload in (data["export"], data["members"]):
            if upload:
                upload.name = display_name(upload.name)
        try:
            run = runs.begin(run_id, data["kind"], request.user, data["export"], data["members"])
        except runs.Refused as error:
            refusal = str(error)
        else:
            messages.success(request, f"Uploaded {run.export_name}: its dry run has started.")
            return _to_run(run)
    view = MoveInView(form=form, refusal=refusal)
    view.setup(request)
    response = view.get(request)
    response.status_code = 409 if refusal else 400
    return response


def _to_run(run):
    return HttpResponseRedirect(reverse("move_in:run", args=[run.pk]), status=303)


class RunView(ImporterRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "importer/admin/run.html"
    header_icon = "upload"

    def get_run(self):
        if not hasattr(self, "run"):
            runs.release_stopped()
            self.run = get_object_or_404(
                ImportRun.objects.select_related("started_by"), pk=self.kwargs["run_id"]
            )
        return self.run

    def get_page_title(self):
        return f"Import of {self.get_run().export_name}"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("move_in:index"), "label": MoveInView.page_title},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.get_run()
        waiting = run.state in (State.WAITING, State.QUEUED)
        progress = {}
        if run.state in runs.UNDER_WAY:
            progress = runs.Progress.read(runs.folder(run.pk))
        context.update(
            {
                "run": run,
                "progress": progress,
                "refresh": REFRESH_SECONDS if waiting or run.state in runs.UNDER_WAY else None,
                "waiting": waiting,
                "worker": not isinstance(task_backends[import_export.backend], ImmediateBackend),
                "can_confirm": run.state == State.CHECKED,
                "can_cancel": run.state in runs.CAN_CANCEL,
            }
        )
        return context


def _refused_or(request, action, run, done):
    try:
        action()
    except runs.Refused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return _to_run(run)


@require_POST
def confirm_view(request, run_id):
    require_importer(request.user)
    run = get_object_or_404(ImportRun, pk=run_id)
    return _refused_or(
        request, lambda: runs.confirm(run, request.user), run, "The import has started."
    )


@require_POST
def cancel_view(request, run_id):
    require_importer(request.user)
    run = get_object_or_404(ImportRun, pk=run_id)
    return _refused_or(
        request, lambda: runs.cancel(run), run, "Cancelled: the uploaded files are deleted."
    )
