"""Ghost and Substack imports at scale: a generated Ghost JSON export and a Substack export zip
of 10,000 posts each (varied letters and guides from distractors.py, most letters split into
question and answer), each with as many members or subscribers, imported into a scratch
SQLite site of its own, then imported again; and, as the baseline, the same posts as a WXR file
through import_wordpress.

Reports wall time, CPU time and peak memory (max RSS of the `manage.py` process) for both runs,
against the targets of issue 13: a first import under 2 minutes and 500 MB.

    .venv/bin/python bench/import_sources.py [--posts 10000] [--subscribers 10000]
"""

import argparse
import csv
import datetime
import io
import json
import os
import random
import zipfile
from xml.sax.saxutils import escape

import harness
from distractors import COLUMNIST, distractors, letter_body, wxr_head
from import_bench import timed_import

TARGETS = {"first_s": 120.0, "peak_mb": 500.0}
START = datetime.datetime(2012, 1, 1, 10, 0, tzinfo=datetime.UTC)


def posts(count, seed=13):
    """(n, post, html, date) for `count` varied posts, spread over fourteen years."""
    for n, post in enumerate(distractors(count, seed), start=1):
        if post["kind"] == "letter":
            body = letter_body(post)
        else:
            paragraphs = [post["intro"], *post["body"]]
            body = "\n".join(f"<p>{escape(part)}</p>" for part in paragraphs)
        date = START + datetime.timedelta(hours=(n * 7919) % (14 * 365 * 24))
        yield n, post, body, date.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def lexical(body_html):
    """A Lexical document for the post's paragraphs, as Ghost 5 keeps beside `html`."""
    paragraphs = [p.removeprefix("<p>").removesuffix("</p>") for p in body_html.split("\n")]
    return json.dumps({"root": {"type": "root", "children": [
        {"type": "paragraph", "children": [{"type": "text", "text": text, "format": 0}]}
        for text in paragraphs
    ]}})  # fmt: skip


def write_ghost(folder, count, subscribers):
    """EXPORT.json and members.csv: one post in ten has only Lexical (rendered by the import),
    one in forty is for members, another in forty for paying members; 20 tags."""
    rng = random.Random(17)  # noqa: S311  # repeatable test data, not secrets
    export, members = folder / "ghost.json", folder / "members.csv"
    with open(export, "w", encoding="utf-8") as out:
        out.write('{"db": [{"meta": {"exported_on": 1710000000000, "version": "5.80.0"}, ')
        out.write('"data": {"posts": [')
        links = []
        for n, post, body, date in posts(count):
            visibility = "paid" if n % 40 == 0 else "members" if n % 20 == 0 else "public"
            row = {
                "id": f"65a0{n:020x}",
                "uuid": f"00000000-0000-4000-8000-{n:012d}",
                "title": post["title"],
                "slug": post["slug"],
                "html": "" if n % 10 == 0 else body,
                "lexical": lexical(body),
                "plaintext": "",
                "type": "post",
                "status": "published" if n % 50 else "draft",
                "visibility": visibility,
                "featured": int(n % 97 == 0),
                "custom_excerpt": post.get("intro"),
                "feature_image": None,
                "published_at": date,
                "created_at": date,
                "updated_at": date,
            }
            out.write(("," if n > 1 else "") + json.dumps(row))
            links.append((row["id"], f"t{rng.randrange(20)}"))
        out.write('], "posts_authors": [')
        out.write(",".join(json.dumps({"id": f"pa{n}", "post_id": post_id, "author_id": "u1",
                                       "sort_order": 0})
                           for n, (post_id, _) in enumerate(links)))  # fmt: skip
        out.write('], "posts_tags": [')
        out.write(",".join(json.dumps({"id": f"pt{n}", "post_id": post_id, "tag_id": tag,
                                       "sort_order": 0})
                           for n, (post_id, tag) in enumerate(links)))  # fmt: skip
        tags = [{"id": f"t{n}", "name": f"Topic {n}", "slug": f"topic-{n}",
                 "visibility": "public"} for n in range(20)]  # fmt: skip
        users = [{"id": "u1", "name": COLUMNIST, "slug": "mimi", "email": "mimi@bench.example"}]
        out.write(f'], "posts_meta": [], "tags": {json.dumps(tags)}, "users": {json.dumps(users)}')
        out.write(', "settings": [{"key": "title", "value": "Bench column"}]}}]}\n')
    with open(members, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "email", "name", "note", "subscribed_to_emails", "created_at",
                         "labels"])  # fmt: skip
        for n in range(subscribers):
            writer.writerow([n, f"member{n}@bench.example", f"Member {n}", "",
                             "false" if n % 10 == 0 else "true", "2021-04-01T10:00:00.000Z",
                             ""])  # fmt: skip
    return export, members


def write_substack(folder, count, subscribers):
    """An export zip: posts.csv, posts/<post_id>.html, email_list.bench.csv; one post in
    forty for free subscribers, another in forty for paying ones, one in fifty unpublished."""
    path = folder / "substack.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        rows = []
        for n, post, body, date in posts(count, seed=19):
            post_id = f"{100000 + n}.{post['slug']}"
            audience = "only_free" if n % 40 == 0 else "only_paid" if n % 20 == 0 else "everyone"
            published = "false" if n % 50 == 0 else "true"
            subtitle = post.get("intro", "")
            rows.append([post_id, date, published, date, date, "newsletter", audience,
                         post["title"], subtitle, ""])  # fmt: skip
            archive.writestr(f"posts/{post_id}.html", body)
        archive.writestr("posts.csv", _csv(
            ["post_id", "post_date", "is_published", "email_sent_at", "inbox_sent_at", "type",
             "audience", "title", "subtitle", "podcast_url"], rows))  # fmt: skip
        readers = [[f"reader{n}@bench.example", "false" if n % 10 == 0 else "true", "", "free",
                    "false", "2022-01-05T10:00:00.000Z"] for n in range(subscribers)]  # fmt: skip
        archive.writestr("email_list.bench.csv", _csv(
            ["email", "active_subscription", "expiry", "plan", "email_disabled", "created_at"],
            readers))  # fmt: skip
    return path


def write_wordpress(folder, count):
    """The baseline: the Ghost export's posts as a WXR file (the same text, no comments)."""
    path = folder / "wordpress.xml"
    with open(path, "w", encoding="utf-8") as out:
        out.write(wxr_head("Bench column", "https://bench.example"))
        for n, post, body, date in posts(count):
            wp_date = date[:19].replace("T", " ")
            out.write(
                f"<item><title>{escape(post['title'])}</title>"
                f"<link>https://bench.example/{post['slug']}/</link><dc:creator>mimi</dc:creator>"
                f"<content:encoded><![CDATA[{body}]]></content:encoded>"
                f"<excerpt:encoded><![CDATA[{post.get('intro') or ''}]]></excerpt:encoded>"
                f"<wp:post_id>{n}</wp:post_id><wp:post_date_gmt>{wp_date}</wp:post_date_gmt>"
                f"<wp:post_name>{post['slug']}</wp:post_name><wp:status>publish</wp:status>"
                "<wp:post_type>post</wp:post_type></item>\n"
            )
        out.write("</channel></rss>\n")
    return path


def _csv(header, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def measure(label, tmp, command, export, *more):
    folder = tmp / label
    folder.mkdir()
    env = harness.scratch_site(folder, 0)
    first, first_cpu, first_peak, summary = timed_import(env, export, folder / "first.log",
                                                         command, *more)  # fmt: skip
    print(f"{label} first run: {first:.1f} s ({first_cpu:.1f} s CPU), peak RSS {first_peak:.0f} MB")
    print("\n".join("  " + line for line in summary.splitlines()[:14]))
    rerun, rerun_cpu, rerun_peak, summary = timed_import(env, export, folder / "rerun.log",
                                                         command, *more)  # fmt: skip
    print(f"{label} re-run:    {rerun:.1f} s ({rerun_cpu:.1f} s CPU), peak RSS {rerun_peak:.0f} MB")
    print("\n".join("  " + line for line in summary.splitlines()[:6]))
    return {
        "first_s": round(first, 1),
        "first_cpu_s": round(first_cpu, 1),
        "rerun_s": round(rerun, 1),
        "rerun_cpu_s": round(rerun_cpu, 1),
        "peak_mb": round(max(first_peak, rerun_peak)),
    }


def run(args, tmp):
    ghost_json, members = write_ghost(tmp, args.posts, args.subscribers)
    substack_zip = write_substack(tmp, args.posts, args.subscribers)
    wordpress = write_wordpress(tmp, args.posts) if args.baseline else None
    files = (ghost_json, members, substack_zip, *([wordpress] if wordpress else []))
    sizes = {p.name: round(p.stat().st_size / 1e6, 1) for p in files}
    print(f"exports: {args.posts} posts and {args.subscribers} readers each; MB: {sizes}")
    figures = {
        "posts": args.posts,
        "subscribers": args.subscribers,
        "export_mb": sizes,
        "ghost": measure("ghost", tmp, "import_ghost", ghost_json, "--members", str(members)),
        "substack": measure("substack", tmp, "import_substack", substack_zip),
        # The same posts through import_wordpress, in the same run: what the shared mapping
        # (pages, letters, search and meaning indexes) costs whatever the source.
        "wordpress_baseline": measure("wordpress", tmp, "import_wordpress", wordpress)
        if wordpress
        else None,
        "load_average": harness.load_average(),
        "git": harness.git_state(),
    }
    harness.write_results("import_sources.json", figures)
    ok = all(
        figures[source][key] <= limit
        for source in ("ghost", "substack")
        for key, limit in TARGETS.items()
    )
    print(
        f"targets: first run < {TARGETS['first_s']:.0f} s, peak < {TARGETS['peak_mb']:.0f} MB: "
        f"{'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--posts", type=harness.positive_int,
        default=os.environ.get("BENCH_SOURCE_POSTS") or "10000",
        help="posts in each export (env BENCH_SOURCE_POSTS; default 10000)",
    )  # fmt: skip
    parser.add_argument(
        "--subscribers", type=int,
        default=os.environ.get("BENCH_SOURCE_SUBSCRIBERS") or "10000",
        help="members and subscribers in each export (env BENCH_SOURCE_SUBSCRIBERS; 10000)",
    )  # fmt: skip
    parser.add_argument(
        "--no-baseline", dest="baseline", action="store_false",
        help="skip the baseline: the same posts through import_wordpress",
    )  # fmt: skip
    args = parser.parse_args(argv)
    return harness.in_scratch_dir("dearly-sources-bench-", lambda tmp: run(args, tmp))


if __name__ == "__main__":
    harness.main(main)
