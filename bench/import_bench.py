"""WordPress import at scale: a generated export of 10,000 posts (a third of them letters)
and 100,000 threaded comments, imported into a scratch SQLite site, then imported again.

Reports wall time and peak memory (max RSS of the import process) for both runs, against the
targets of issue 5: first run under 3 minutes, re-run under 1 minute, peak under 500 MB.

    .venv/bin/python bench/import_bench.py [--posts 10000] [--comments 100000]
"""

import argparse
import os
import random
import subprocess
import time
from xml.sax.saxutils import escape

import harness
from distractors import wxr_head
from harness import ROOT, BenchError

TARGETS = {"first": 180.0, "rerun": 60.0, "peak_mb": 500.0}
WORDS = (
    "work manager colleague meeting feedback deadline team office promotion salary review "
    "project lunch email weekend holiday plan question answer advice kindly honest clear"
).split()


def sentence(rng, n=14):
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def write_export(path, posts, comments, seed=5):
    """A WXR 1.2 file: authors, categories, tags, posts (every third a letter), comments in
    threads up to eight levels deep."""
    rng = random.Random(seed)  # noqa: S311  # repeatable test text, not secrets
    per_post = comments // posts
    extra = comments - per_post * posts
    comment_id = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write(wxr_head("Bench column", "https://bench.example"))
        for n in range(20):
            parent = f"topic-{n // 5 * 5}" if n % 5 else ""
            out.write(
                f"<wp:category><wp:term_id>{n + 1}</wp:term_id>"
                f"<wp:category_nicename>topic-{n}</wp:category_nicename>"
                f"<wp:category_parent>{parent}</wp:category_parent>"
                f"<wp:cat_name>Topic {n}</wp:cat_name></wp:category>\n"
            )
        for n in range(50):
            out.write(
                f"<wp:tag><wp:term_id>{100 + n}</wp:term_id><wp:tag_slug>tag-{n}</wp:tag_slug>"
                f"<wp:tag_name>Tag {n}</wp:tag_name></wp:tag>\n"
            )
        for post in range(1, posts + 1):
            wp_id = post * 10
            letter = post % 3 == 0
            if letter:
                pen = f"Pen {post}"
                title = f"Dear Dr. Mimi – {pen}"
                body = (
                    f"<p>Dear Dr. Mimi,</p>\n<p>{sentence(rng, 40)}</p>\n<p>—{pen}</p>\n"
                    f"<p>Dear {pen},</p>\n<p>{sentence(rng, 60)}</p>\n"
                    f"<p>{sentence(rng, 30)}</p>\n<p>—Dr. Mimi</p>"
                )
            else:
                title = f"Guide {post}: {sentence(rng, 5)[:-1]}"
                body = "\n\n".join(sentence(rng, 40) for _ in range(5))
                link = f"https://bench.example/?p={wp_id - 10}"
                body += f'\n\nSee also <a href="{link}">the last one</a>.'
            slug = f"post-{post}"
            date = f"20{10 + post % 15:02d}-{1 + post % 12:02d}-{1 + post % 28:02d} 10:00:00"
            out.write(
                f"<item><title>{escape(title)}</title>"
                f"<link>https://bench.example/{date[:4]}/{date[5:7]}/{slug}/</link>"
                f"<dc:creator>mimi</dc:creator>"
                f'<guid isPermaLink="false">https://bench.example/?p={wp_id}</guid>'
                f"<content:encoded>{cdata(body)}</content:encoded>"
                f"<excerpt:encoded>{cdata('')}</excerpt:encoded>"
                f"<wp:post_id>{wp_id}</wp:post_id><wp:post_date>{date}</wp:post_date>"
                f"<wp:post_date_gmt>{date}</wp:post_date_gmt>"
                f"<wp:comment_status>open</wp:comment_status><wp:post_name>{slug}</wp:post_name>"
                f"<wp:status>publish</wp:status><wp:post_parent>0</wp:post_parent>"
                f"<wp:menu_order>0</wp:menu_order><wp:post_type>post</wp:post_type>"
                f"<wp:is_sticky>0</wp:is_sticky>"
                f'<category domain="category" nicename="topic-{post % 20}">Topic {post % 20}'
                f"</category>"
                f'<category domain="post_tag" nicename="tag-{post % 50}">Tag {post % 50}</category>'
            )
            count = per_post + (1 if post <= extra else 0)
            ids = []
            for k in range(count):
                comment_id += 1
                # about half are replies, to a recent comment: threads up to ~8 deep
                parent = ids[-1 - rng.randrange(min(len(ids), 2))] if ids and k % 2 else 0
                ids.append(comment_id)
                approved = "0" if k % 17 == 5 else "1"
                out.write(
                    f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author>Reader {comment_id % 997}</wp:comment_author>"
                    f"<wp:comment_author_email>r{comment_id % 997}@mail.example"
                    f"</wp:comment_author_email>"
                    f"<wp:comment_author_IP>192.0.2.{comment_id % 250}</wp:comment_author_IP>"
                    f"<wp:comment_date_gmt>{date}</wp:comment_date_gmt>"
                    f"<wp:comment_content>{cdata(sentence(rng, 25))}</wp:comment_content>"
                    f"<wp:comment_approved>{approved}</wp:comment_approved>"
                    f"<wp:comment_type></wp:comment_type>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent>"
                    f"<wp:comment_user_id>0</wp:comment_user_id></wp:comment>"
                )
            out.write("</item>\n")
        out.write("</channel>\n</rss>\n")


def timed_import(env, export, log, command="import_wordpress", *more):
    """Wall time (s), CPU time (s), peak RSS (MB) and the summary of one import in a child:
    `manage.py COMMAND EXPORT MORE…`."""
    start = time.perf_counter()
    with open(log, "w+") as out:
        child = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "python"), "manage.py", command, str(export), *more],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak, not the largest so far
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out.seek(0)
        summary = out.read()
    if child.returncode != 0:
        raise BenchError(f"{command} failed:\n{summary[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, summary


def run(args, tmp):
    export = tmp / "export.xml"
    write_export(export, args.posts, args.comments)
    size_mb = export.stat().st_size / 1e6
    print(f"export: {args.posts} posts, {args.comments} comments, {size_mb:.1f} MB")
    env = harness.scratch_site(tmp, 0)
    first, first_cpu, first_peak, summary = timed_import(env, export, tmp / "first.log")
    print(f"first run: {first:.1f} s ({first_cpu:.1f} s CPU), peak RSS {first_peak:.0f} MB")
    print("\n".join("  " + line for line in summary.splitlines()[:8]))
    rerun, rerun_cpu, rerun_peak, summary = timed_import(env, export, tmp / "rerun.log")
    print(f"re-run:    {rerun:.1f} s ({rerun_cpu:.1f} s CPU), peak RSS {rerun_peak:.0f} MB")
    print("\n".join("  " + line for line in summary.splitlines()[:3]))
    figures = {
        "posts": args.posts,
        "comments": args.comments,
        "export_mb": round(size_mb, 1),
        "first_s": round(first, 1),
        "first_cpu_s": round(first_cpu, 1),
        "rerun_s": round(rerun, 1),
        "rerun_cpu_s": round(rerun_cpu, 1),
        "peak_mb": round(max(first_peak, rerun_peak)),
        "load_average": harness.load_average(),
    }
    harness.write_results("import.json", figures)
    ok = (
        first <= TARGETS["first"]
        and rerun <= TARGETS["rerun"]
        and figures["peak_mb"] <= TARGETS["peak_mb"]
    )
    print(
        f"targets: first < {TARGETS['first']:.0f} s, re-run < {TARGETS['rerun']:.0f} s, "
        f"peak < {TARGETS['peak_mb']:.0f} MB: {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--posts", type=int, default=os.environ.get("BENCH_POSTS") or "10000",
        help="posts in the export (env BENCH_POSTS; default 10000)",
    )  # fmt: skip
    parser.add_argument(
        "--comments", type=int, default=os.environ.get("BENCH_COMMENTS") or "100000",
        help="comments in the export (env BENCH_COMMENTS; default 100000)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.posts < 3 or args.comments < 0:
        parser.error("--posts must be at least 3 and --comments not negative")
    return harness.in_scratch_dir("dearly-import-bench-", lambda tmp: run(args, tmp))


if __name__ == "__main__":
    harness.main(main)
