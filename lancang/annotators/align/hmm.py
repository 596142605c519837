"""An HMM word-alignment stage (Vogel, Ney & Tillmann 1996; NULL states of Och & Ney 2003).

After Model 1 and Model 2 have trained ``t(f | e)``, a few EM passes of an HMM whose hidden
states are the source positions (plus one NULL state per position that remembers it) let the
alignment of a token depend on the alignment of the previous one: the jump ``d = i - i'`` has
a learned distribution ``c(d)`` (clipped to ``±max_jump``), so monotone stretches and local
reorderings are modelled, which a diagonal prior alone cannot do.

Forward–backward is vectorised with numpy over buckets of sentence pairs with the same source
length ``n`` (the transition matrix depends only on ``n``), padded to the longest target sentence
in the bucket; one step of the recursion is one batched matrix product for the whole bucket.
Decoding takes, for each target token, the state of highest posterior (NULL: unaligned).
"""

from __future__ import annotations

from collections.abc import Sequence

from ._np import np

MAX_BUCKET_CELLS = 4_000_000


class Jumps:
    """The jump distribution c(d), d in [-D, D] (larger jumps share the end bins)."""

    def __init__(self, max_jump: int, counts: np.ndarray | None = None):
        self.D = max_jump
        if counts is None:
            d = np.arange(-max_jump, max_jump + 1)
            counts = np.exp(-np.abs(d - 1.0))
        self.c = counts / counts.sum()

    def transitions(self, n: int, null_prob: float) -> tuple[np.ndarray, np.ndarray]:
        """(T, start) over 2n states: 0..n-1 real, n..2n-1 NULL remembering position s - n."""
        pos = np.arange(n)
        jump = np.clip(pos[None, :] - pos[:, None], -self.D, self.D) + self.D
        a = self.c[jump]
        a = (1.0 - null_prob) * a / a.sum(axis=1, keepdims=True)
        T = np.zeros((2 * n, 2 * n))
        T[:n, :n] = a
        T[n:, :n] = a
        T[np.arange(n), n + np.arange(n)] = null_prob
        T[n + np.arange(n), n + np.arange(n)] = null_prob
        st = self.c[np.clip(pos + 1, -self.D, self.D) + self.D]
        start = np.zeros(2 * n)
        start[:n] = (1.0 - null_prob) * st / st.sum()
        start[n] = null_prob
        return T, start

    def jump_index(self, n: int) -> np.ndarray:
        """(2n × n) bin of the jump from each state to each real state."""
        prev = np.concatenate([np.arange(n), np.arange(n)])
        return np.clip(np.arange(n)[None, :] - prev[:, None], -self.D, self.D) + self.D


def buckets(es: Sequence[np.ndarray], fs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Pair indices grouped by source length (and split so no bucket is too large)."""
    by_n: dict[int, list[int]] = {}
    for k, (e, f) in enumerate(zip(es, fs)):
        if len(e) and len(f):
            by_n.setdefault(len(e), []).append(k)
    out = []
    for n, idx in sorted(by_n.items()):
        idx.sort(key=lambda k: len(fs[k]))
        cur: list[int] = []
        for k in idx:
            cur.append(k)
            if len(cur) * len(fs[k]) * 2 * n >= MAX_BUCKET_CELLS:
                out.append(np.array(cur))
                cur = []
        if cur:
            out.append(np.array(cur))
    return out


class Bucket:
    def __init__(self, idx: np.ndarray, es: Sequence[np.ndarray], fs: Sequence[np.ndarray], vf: int, ve: int):
        self.idx = idx
        self.n = n = len(es[idx[0]])
        self.mlen = np.array([len(fs[k]) for k in idx])
        B, M = len(idx), int(self.mlen.max())
        F = np.full((B, M), vf, np.int64)
        E = np.zeros((B, n + 1), np.int64)
        for b, k in enumerate(idx):
            f = fs[k]
            F[b, :len(f)] = np.where(f < 0, vf, f)
            e = es[k]
            E[b, 1:] = np.where(e < 0, ve + 1, e + 1)
        self.active = np.arange(M)[None, :] < self.mlen[:, None]
        self.keys = E[:, None, :] * (vf + 1) + F[:, :, None]  # (B, M, n + 1); [..., 0] is NULL

    def emissions(self, t: np.ndarray) -> np.ndarray:
        """(B, M, 2n): t(f_j | e_s) for real states, t(f_j | NULL) for the NULL states."""
        n = self.n
        em = np.empty(self.keys.shape[:2] + (2 * n,))
        em[..., :n] = t[..., 1:]
        em[..., n:] = t[..., :1]
        return np.where(self.active[..., None], em, 1.0)

    def forward_backward(self, em: np.ndarray, T: np.ndarray,
                         start: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Posteriors gamma (B, M, 2n), scaled alphas, scaled betas and the scale factors."""
        B, M, S = em.shape
        alpha = np.empty((B, M, S))
        scale = np.ones((B, M))
        a = start[None, :] * em[:, 0, :]
        s = a.sum(1)
        s = np.where(s > 0, s, 1e-300)
        alpha[:, 0] = a / s[:, None]
        scale[:, 0] = s
        for j in range(1, M):
            act = self.active[:, j]
            a = (alpha[:, j - 1] @ T) * em[:, j, :]
            s = a.sum(1)
            s = np.where(s > 0, s, 1e-300)
            alpha[:, j] = np.where(act[:, None], a / s[:, None], alpha[:, j - 1])
            scale[:, j] = np.where(act, s, 1.0)
        beta = np.ones((B, M, S))
        for j in range(M - 2, -1, -1):
            nxt = self.active[:, j + 1]
            b = ((em[:, j + 1, :] * beta[:, j + 1, :]) @ T.T) / scale[:, j + 1][:, None]
            beta[:, j] = np.where(nxt[:, None], b, 1.0)
        gamma = alpha * beta
        z = gamma.sum(2, keepdims=True)
        gamma = gamma / np.where(z > 0, z, 1.0)
        return gamma, alpha, beta, scale


def train_hmm(es: Sequence[np.ndarray], fs: Sequence[np.ndarray], keys: np.ndarray, prob: np.ndarray,
              vf: int, ve: int, iterations: int, null_prob: float, max_jump: int, alpha: float,
              ident: np.ndarray, digamma) -> tuple[np.ndarray, Jumps]:
    """EM passes of the HMM; returns the new t table (aligned with ``keys``) and the jumps."""
    jumps = Jumps(max_jump)
    bks = [Bucket(idx, es, fs, vf, ve) for idx in buckets(es, fs)]
    kidx = []
    for bk in bks:
        pos = np.searchsorted(keys, bk.keys)
        pos = np.minimum(pos, len(keys) - 1)
        kidx.append((pos, keys[pos] == bk.keys))
    e_of = keys // (vf + 1)
    K = len(keys)
    for _ in range(iterations):
        counts = np.zeros(K)
        jc = np.zeros(2 * max_jump + 1)
        occ = np.zeros(2 * max_jump + 1)
        for bk, (pos, hit) in zip(bks, kidx):
            t = np.where(hit, prob[pos], 1e-7)
            em = bk.emissions(t)
            T, start = jumps.transitions(bk.n, null_prob)
            gamma, al, be, sc = bk.forward_backward(em, T, start)
            n = bk.n
            act = bk.active
            w_real = gamma[..., :n] * act[..., None]
            w_null = gamma[..., n:].sum(2) * act
            counts += np.bincount(pos[..., 1:][act].ravel(), weights=w_real[act].ravel(), minlength=K)
            counts += np.bincount(pos[..., 0][act], weights=w_null[act], minlength=K)
            # expected transitions, summed over pairs and positions
            W = em[:, 1:] * be[:, 1:] / sc[:, 1:, None] * act[:, 1:, None]
            X = np.einsum("bjs,bjt->st", al[:, :-1], W) * T
            ji = jumps.jump_index(n)
            jc += np.bincount(ji.ravel(), weights=X[:, :n].ravel(), minlength=2 * max_jump + 1)
            # how many destinations each bin offers from each state (the end bins offer many):
            # c(d) is a weight per destination, so its estimate is count / opportunities
            sizes = np.zeros((2 * n, 2 * max_jump + 1))
            np.add.at(sizes, (np.repeat(np.arange(2 * n), n), ji.ravel()), 1.0)
            occ += X[:, :n].sum(1) @ sizes
        counts += ident
        if alpha > 0:
            num = np.exp(digamma(counts + alpha))
            size = np.bincount(e_of, minlength=ve + 1).astype(float)
            den = np.exp(digamma(np.bincount(e_of, weights=counts, minlength=ve + 1) + size * alpha))
            prob = num / den[e_of]
        else:
            tot = np.bincount(e_of, weights=counts, minlength=ve + 1)
            prob = counts / np.maximum(tot[e_of], 1e-300)
        jumps = Jumps(max_jump, (jc + 0.1) / (occ + 1.0))
    return prob, jumps


def decode(es: Sequence[np.ndarray], fs: Sequence[np.ndarray], lookup, vf: int, ve: int, jumps: Jumps,
           null_prob: float) -> list[set[tuple[int, int]]]:
    """Links (source, target) of highest posterior for each target token."""
    out: list[set[tuple[int, int]]] = [set() for _ in es]
    for idx in buckets(es, fs):
        bk = Bucket(idx, es, fs, vf, ve)
        t = lookup(bk.keys.ravel()).reshape(bk.keys.shape)
        em = bk.emissions(t)
        T, start = jumps.transitions(bk.n, null_prob)
        gamma, *_ = bk.forward_backward(em, T, start)
        best = gamma.argmax(2)
        for b, k in enumerate(idx):
            row = best[b, :bk.mlen[b]]
            out[int(k)] = {(int(s), j) for j, s in enumerate(row) if s < bk.n}
    return out
