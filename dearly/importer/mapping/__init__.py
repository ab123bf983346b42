"""The mapping step of the WordPress import: run.py drives it, the other modules each map one
kind of thing (pages, comments, media, links). Import from the modules themselves."""
