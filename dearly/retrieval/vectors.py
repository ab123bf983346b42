"""Every live document's vector, in this process's memory, searched by one matrix product.

Each row is kept in int8 with its own scale (x = row * scale, the largest component at 127): at
100,000 posts the matrix is 38 MB per server worker instead of 150 MB in float32, and a cosine
moves by at most about 0.002. One query against 100,000 rows takes about 9 ms, faster than the
float32 product, which waits on memory: the rows are turned back into float32 a block at a time
(bench/README-retrieval.md). The matrix is read from the documents once, then kept
up to date: when the documents' invalidation tag moves (indexing.RETRIEVAL, bumped after each
change, in every process through the shared store), only the rows changed since the last read
are fetched, with a margin for transactions that committed out of order.
"""

import datetime
import logging
import threading

from django.db import DatabaseError

import numpy as np

from dearly.core.invalidation import token

from . import encoder as encoders
from .encoder import DIMENSIONS
from .indexing import RETRIEVAL
from .models import Document, Key

logger = logging.getLogger(__name__)

# Rows changed this long before the newest one seen are read again at each refresh: a
# transaction that stamped its rows earlier but committed later is still picked up.
MARGIN = datetime.timedelta(minutes=2)
GROW = 1024
SHRINK = 50
# Rows turned back into float32 at a time by `_products`: 3 MB of scratch memory.
BLOCK = 2048


class Vectors:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        """Forget every vector: the next query reads them all (tests, after a rollback)."""
        self.version = None
        self.loaded = False
        self.newest = None
        self.count = 0
        self.pages = np.zeros(0, dtype=np.int64)  # each row's page id
        self.kinds = np.zeros(0, dtype=np.int16)
        self.live = np.zeros(0, dtype=bool)
        self.matrix = np.zeros((0, DIMENSIONS), dtype=np.int8)
        self.scales = np.zeros(0, dtype=np.float32)
        self.rows = {}  # document id -> row
        self.page_rows = {}  # page id -> [rows]: one, or one per letter of a round-up
        self.anchors = {}  # row -> anchor, for the rows of a round-up's letters only
        self.kind_codes = {}
        self.mean, self.mm, self.dm, self.dnorm = np.zeros(DIMENSIONS, np.float32), 0.0, None, None

    def refresh(self, request=None):
        """Read what changed since the last refresh, if the documents' tag moved."""
        version = token(request, RETRIEVAL)
        if self.loaded and version is not None and version == self.version:
            return
        with self.lock:
            if self.loaded and version is not None and version == self.version:
                return
            documents = Document.objects.all()
            if self.newest is not None:
                documents = documents.filter(updated_at__gte=self.newest - MARGIN)
            for pk, page_id, anchor, kind, live, vector, updated_at in documents.values_list(
                "pk", "page_id", "anchor", "kind", "live", "vector", "updated_at"
            ).iterator(chunk_size=2000):
                self._put(pk, Key(page_id, anchor), kind, live and vector is not None, vector)
                if self.newest is None or updated_at > self.newest:
                    self.newest = updated_at
            self._centre()
            self.version, self.loaded = version, True

    def _centre(self):
        """The column's mean vector, and each document's offset from it. Every letter of an advice
        column shares much of its meaning ("a problem at work"); ranking by the cosine of what is
        left once that is taken away found the right letter in the top 3 for 0.62 of the
        labelled paraphrases among 2,800 letters, against 0.45 by plain cosine
        (bench/README-retrieval.md). The mean is shrunk on a small site, where a few posts make
        it: weight n / (n + SHRINK)."""
        n = self.count
        live = int(self.live[:n].sum())
        if not live:
            self.mean, self.dm, self.dnorm = np.zeros(DIMENSIONS, np.float32), None, None
            return
        weights = self.live[:n] * self.scales[:n]
        mean = np.zeros(DIMENSIONS, dtype=np.float64)
        for start in range(0, n, BLOCK):
            block = self.matrix[start : min(start + BLOCK, n)].astype(np.float32)
            mean += weights[start : start + BLOCK] @ block
        mean *= 1.0 / (live + SHRINK)  # the mean of the live rows, shrunk by live / (live + SHRINK)
        self.mean = mean.astype(np.float32)
        self.mm = float(self.mean @ self.mean)
        self.dm = self._products(self.mean[None, :])[0]
        self.dnorm = np.sqrt(np.maximum(1.0 - 2.0 * self.dm + self.mm, 1e-6))

    def _put(self, pk, key, kind, live, vector):
        row = self.rows.get(pk)
        if row is None:
            if not live:
                return
            row = self.rows[pk] = self.count
            self.count += 1
            if self.count > len(self.pages):
                self._grow(max(GROW, len(self.pages)))
            self._name(row, key)
        elif self._key(row) != key:  # the id now names another document (a reused rowid)
            self.page_rows[int(self.pages[row])].remove(row)
            self.anchors.pop(row, None)
            self._name(row, key)
        self.live[row] = live
        if live:
            self.kinds[row] = self.kind_codes.setdefault(kind, len(self.kind_codes))
            values = np.frombuffer(vector, dtype="<f4", count=DIMENSIONS)
            scale = float(np.abs(values).max()) / 127.0 or 1.0
            self.matrix[row] = np.rint(values / scale)
            self.scales[row] = scale

    def _name(self, row, key):
        self.pages[row] = key.page_id
        self.page_rows.setdefault(key.page_id, []).append(row)
        if key.anchor:
            self.anchors[row] = key.anchor

    def _grow(self, extra):
        self.pages = np.concatenate([self.pages, np.zeros(extra, dtype=np.int64)])
        self.kinds = np.concatenate([self.kinds, np.zeros(extra, dtype=np.int16)])
        self.live = np.concatenate([self.live, np.zeros(extra, dtype=bool)])
        self.matrix = np.concatenate([self.matrix, np.zeros((extra, DIMENSIONS), np.int8)])
        self.scales = np.concatenate([self.scales, np.zeros(extra, dtype=np.float32)])

    def _products(self, queries):
        """(queries, rows) float32: each query's dot product with each row, block by block."""
        n = self.count
        out = np.empty((len(queries), n), dtype=np.float32)
        for start in range(0, n, BLOCK):
            block = self.matrix[start : min(start + BLOCK, n)].astype(np.float32)
            out[:, start : start + len(block)] = queries @ block.T
        out *= self.scales[:n]
        return out

    def nearest(self, vector, kinds=None, limit=10, exclude=()):
        """[(Key, centred cosine, cosine)] of the live documents closest to the unit `vector`,
        best first by the centred cosine (`_centre`)."""
        return self.nearest_many([vector], kinds, limit, [exclude])[0]

    def nearest_many(self, queries, kinds=None, limit=10, exclude=()):
        """`nearest` for each row of `queries` (unit vectors), in one matrix product.
        `exclude[i]`: page ids left out of the i-th answer (its own page, all its letters)."""
        n = self.count
        queries = np.asarray(queries, dtype=np.float32).reshape(-1, DIMENSIONS)
        if not n or limit <= 0 or not len(queries) or self.dm is None:
            return [[] for _ in range(len(queries))]
        allowed = self.live[:n].copy()
        if kinds is not None:
            codes = [self.kind_codes[k] for k in kinds if k in self.kind_codes]
            allowed &= np.isin(self.kinds[:n], codes)
        raw = self._products(queries)  # (queries, documents): the plain cosines
        qm = queries @ self.mean
        qnorm = np.sqrt(np.maximum(1.0 - 2.0 * qm + self.mm, 1e-6))
        # In place: one more (queries, documents) array, not four temporaries (100,000 rows).
        centred = raw - qm[:, None]
        centred -= self.dm[None, :]
        centred += self.mm
        centred /= qnorm[:, None]
        centred /= self.dnorm[None, :]
        centred[:, ~allowed] = -np.inf
        found = []
        for i, scores in enumerate(centred):
            for page_id in exclude[i] if i < len(exclude) else ():
                for row in self.page_rows.get(page_id, ()):
                    scores[row] = -np.inf
            k = min(limit, int(np.isfinite(scores).sum()))
            if k <= 0:
                found.append([])
                continue
            top = np.argpartition(-scores, k - 1)[:k]
            top = top[np.argsort(-scores[top], kind="stable")]
            found.append([(self._key(r), float(scores[r]), float(raw[i, r])) for r in top])
        return found

    def _key(self, row):
        return Key(int(self.pages[row]), self.anchors.get(row, ""))

    def vector_of(self, page_id):
        """The page's vector: its document's, or for a round-up the mean of its letters' (unit
        length); None when it has none live."""
        rows = [row for row in self.page_rows.get(page_id, ()) if self.live[row]]
        if not rows:
            return None
        if len(rows) == 1:
            return self.matrix[rows[0]].astype(np.float32) * self.scales[rows[0]]
        mean = (self.matrix[rows].astype(np.float32) * self.scales[rows][:, None]).mean(axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-12)


vectors = Vectors()


def warm_up():
    """Load the sentence model and the vectors now (a server worker starting), not on the first
    question. Never fatal: a database not migrated yet only delays it to the first query."""
    encoders.encoder()
    try:
        vectors.refresh()
    except DatabaseError:
        logger.exception("the vectors could not be read at start-up; they load on first use")
