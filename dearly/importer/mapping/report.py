"""The summary an import prints: what it made, what it left out and why, what to look at."""

from collections import Counter
from dataclasses import dataclass, field

LISTED = 20  # names listed before "…and N more"
WARNINGS_LISTED = 100


@dataclass
class Report:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)  # reason -> how many
    kept_private: Counter = field(default_factory=Counter)
    letters: list = field(default_factory=list)
    not_split: list = field(default_factory=list)  # looked like letters, stayed guides
    not_redirected: list = field(default_factory=list)  # old addresses kept by pages here
    warnings: list = field(default_factory=list)

    def warn(self, message):
        self.warnings.append(message)

    def skip(self, reason, *, count=1, comments=0):
        """Things left out; the comments they held go with them, and are counted too."""
        self.skipped[reason] += count
        if comments:
            self.skipped["comments on skipped items"] += comments

    def lines(self, *, dry_run=False):
        out = ["Dry run: nothing was written. The import would have:" if dry_run else "Imported:"]
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        for kind in kinds:
            parts = [f"{self.created[kind]} created"]
            if self.updated[kind]:
                parts.append(f"{self.updated[kind]} updated")
            if self.unchanged[kind]:
                parts.append(f"{self.unchanged[kind]} unchanged")
            out.append(f"  {kind}: " + ", ".join(parts))
        if self.kept_private:
            out.append("Imported but not public:")
            out += [f"  {reason}: {n}" for reason, n in sorted(self.kept_private.items())]
        if self.skipped:
            out.append("Skipped:")
            out += [f"  {reason}: {n}" for reason, n in sorted(self.skipped.items())]
        out.append(f"Letters detected: {len(self.letters)}")
        out += _listed(self.letters)
        if self.not_split:
            out.append(
                f"Looked like letters but did not split (imported as guides): {len(self.not_split)}"
            )
            out += _listed(self.not_split, limit=None)
        if self.not_redirected:
            out.append(
                "Old addresses kept by pages already on this site (not redirected): "
                f"{len(self.not_redirected)}"
            )
            out += _listed(self.not_redirected, limit=None)
        if self.warnings:
            out.append(f"Warnings: {len(self.warnings)}")
            out += _listed(self.warnings, limit=WARNINGS_LISTED)
        return out


def _listed(names, limit=LISTED):
    shown = names if limit is None else names[:limit]
    lines = [f"  - {name}" for name in shown]
    if len(names) > len(shown):
        lines.append(f"  …and {len(names) - len(shown)} more")
    return lines
