"""Text similarity scores in [0, 1]: fuzzy ratio (rapidfuzz), sentence BLEU and ROUGE-L F1.

BLEU is the usual 4-gram geometric mean with a brevity penalty and add-one smoothing of the
higher orders (Lin & Och's smoothing 1), so short sentences do not collapse to zero; ROUGE-L is
the F1 of the longest common subsequence of tokens (rapidfuzz's bit-parallel LCS: compiled, linear
memory). Tokens are lower-cased words.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


def fuzzy_ratio(candidate: str, reference: str) -> float:
    return fuzz.ratio(candidate, reference) / 100.0


def _ngrams(words: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def bleu(candidate: str, reference: str, max_n: int = 4) -> float:
    cand, ref = tokens(candidate), tokens(reference)
    if not cand or not ref:
        return 1.0 if cand == ref else 0.0
    log_precision = 0.0
    for n in range(1, max_n + 1):
        cand_grams, ref_grams = _ngrams(cand, n), _ngrams(ref, n)
        overlap = sum(min(count, ref_grams[gram]) for gram, count in cand_grams.items())
        total = max(len(cand) - n + 1, 0)
        if n == 1 and overlap == 0:
            return 0.0
        smooth = 0 if n == 1 else 1
        log_precision += math.log((overlap + smooth) / (total + smooth)) / max_n
    brevity = 1.0 if len(cand) > len(ref) else math.exp(1 - len(ref) / len(cand))
    return min(1.0, brevity * math.exp(log_precision))


def rouge_l(candidate: str, reference: str) -> float:
    cand, ref = tokens(candidate), tokens(reference)
    if not cand or not ref:
        return 1.0 if cand == ref else 0.0
    lcs = LCSseq.similarity(cand, ref)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(cand), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


METRICS = {"fuzzy_ratio": fuzzy_ratio, "bleu": bleu, "rouge_l": rouge_l}
