"""Turn one page's comments into threads for display."""

from dataclasses import dataclass, field


@dataclass
class Node:
    comment: object
    replies: list = field(default_factory=list)
    visible: bool = True


def build_threads(comments):
    """Top-level nodes, oldest first, each with its replies. Taken-down comments stay only as
    placeholders above visible replies; replies whose parent is not here become top-level."""
    nodes = {c.pk: Node(c) for c in comments}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.comment.parent_id)
        (parent.replies if parent else roots).append(node)

    def prune(node_list):
        kept = []
        for node in node_list:
            node.replies = prune(node.replies)
            if not node.comment.is_taken_down or node.replies:
                kept.append(node)
        return kept

    return prune(roots)


def count_visible(comments):
    return sum(1 for c in comments if c.status == "approved")
