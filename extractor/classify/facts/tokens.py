"""jieba tokens of a candidate's window, with the domain user dictionary (`spec/data/userdict.txt`)."""
from __future__ import annotations

import logging
import threading
from functools import lru_cache
from importlib import resources

_tok_lock = threading.Lock()
_tokenizer = None


def tokenizer():
    """A jieba tokenizer of our own with the domain user dictionary (jieba's global one is left alone)."""
    global _tokenizer
    if _tokenizer is None:
        with _tok_lock:
            if _tokenizer is None:
                import jieba

                logging.getLogger("jieba").setLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                with resources.as_file(resources.files("extractor.spec").joinpath("data", "userdict.txt")) as p:
                    tk.load_userdict(str(p))
                _tokenizer = tk
    return _tokenizer


def tokens(s: str) -> list[str]:
    return list(window_tokens(s))


@lru_cache(maxsize=8192)
def window_tokens(s: str) -> tuple[str, ...]:
    """jieba words of a window, remembered: the same short windows ("主动公开政府信息") recur across reports."""
    if not s:
        return ()
    return tuple(t for t in tokenizer().lcut(s, HMM=False) if t.strip())

