"""The admin's imports as a background task (runs.py says where it runs)."""

from django_tasks import task

from . import runs


@task()
def import_export(run_id, dry_run):
    """The dry run (`dry_run` true) or the import of an ImportRun's uploaded export."""
    runs.execute(run_id, dry_run)
