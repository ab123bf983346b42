# Round-up letters saved without a sort_order (given in code, as the demo did) are numbered in
# the order they were written, and letters sharing one are ordered by id.

from django.db import migrations


def number_letters(apps, schema_editor):
    RoundupLetter = apps.get_model("articles", "RoundupLetter")
    pages = (
        RoundupLetter.objects.filter(sort_order__isnull=True)
        .values_list("page_id", flat=True)
        .distinct()
    )
    for page_id in list(pages):
        letters = RoundupLetter.objects.filter(page_id=page_id).order_by("sort_order", "pk")
        for number, letter in enumerate(letters):
            RoundupLetter.objects.filter(pk=letter.pk).update(sort_order=number)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_roundups"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="roundupletter",
            options={"ordering": ["sort_order", "pk"], "verbose_name": "letter in a round-up"},
        ),
        migrations.RunPython(number_letters, migrations.RunPython.noop),
    ]
