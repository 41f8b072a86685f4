"""PPP's final mixture: pruning the tree's leaves, then deterministic multi-start refinement.

The leaves of the split tree initialise a mixture with one component per leaf. Two things
can keep that mixture from the model a user would get from a well-started EM at the same
number of components:

- a divisive tree cuts clusters where they touch, so a fragment cut off upstream becomes a
  leaf of its own: :func:`prune` removes components while the whole model's criterion
  improves;
- EM stays in the local optimum the leaves start it in: :func:`refine` tries other starts
  derived from the fitted mixture and the data without any random number (split-merge
  moves in the spirit of Ueda et al.'s SMEM, Lloyd iterations from the current means) and
  keeps the best likelihood at the same number of components.

Both take ``fit_mixture(resp, max_iter)`` (EM from responsibilities on the rows PPP works
on) and ``criterion(fit)`` from the estimator, so they know nothing of the codebook.
"""
import numpy as np

from ._gmm import log_sum_exp_rows, weighted_log_prob
from ._split import principal_side, two_means

# EM iterations that score a candidate before the best is refitted (pruning, refinement)
PRUNE_EM_ITER = 20
REFINE_EM_ITER = 10
# removal candidates given a short EM run per pruning round, after a one-step screening
PRUNE_SCREEN = 4
# merge pairs and split components combined into the split-merge candidates of a round
N_MERGE_PAIRS = 2
N_SPLIT_COMPONENTS = 2
MAX_REFINE_ROUNDS = 3
# components the final mixture may add to the tree's leaves (see grow)
MAX_GROW_STEPS = 3
# relative log-likelihood improvement a refinement round must bring to be kept
REFINE_RTOL = 1e-6


def prune(fit, pts, weights, scatter, covariance_type, fit_mixture, criterion, log):
    """Remove components while the criterion of the whole model improves.

    Every round scores the removal of each component by one M-step from the posterior
    without it (the other components take its points), gives the ``PRUNE_SCREEN`` best
    removals a short EM run, and keeps the best when it lowers the criterion; the next
    round starts from that short run, and one full EM run follows the last removal.

    Returns
    -------
    fit : MixtureFit
    """
    crit = criterion(fit)
    removed = False
    while fit.n_components > 1:
        wlp = weighted_log_prob(pts, fit.weights, fit.means, fit.precisions_cholesky,
                                covariance_type, weights, scatter)
        starts, screen = [], []
        for j in range(fit.n_components):
            rest = np.delete(wlp, j, axis=1)
            resp = np.exp(rest - log_sum_exp_rows(rest)[:, None])
            starts.append(resp)
            screen.append(criterion(fit_mixture(resp, 0)))
        best = None
        for j in np.argsort(screen, kind="stable")[:PRUNE_SCREEN]:
            trial = fit_mixture(starts[j], PRUNE_EM_ITER)
            trial_crit = criterion(trial)
            if best is None or trial_crit < best[0]:
                best = (trial_crit, trial)
        if best[0] >= crit:
            break
        log(f"final mixture: {fit.n_components - 1} components improve the "
            f"criterion by {crit - best[0]:.4g}")
        # the next round starts from the short run; one full EM run ends the pruning
        fit, crit, removed = best[1], best[0], True
    return fit_mixture(fit.resp, None) if removed else fit


def _split_column(resp, c, pts, weights):
    """Responsibilities with component ``c`` cut in two across its principal axis."""
    r = resp[:, c]
    w = weights * r
    total = w.sum()
    if total <= 0:
        return None
    mean = w @ pts / total
    centred = pts - mean
    cov = (centred * w[:, None]).T @ centred / total
    if not np.isfinite(cov).all() or np.trace(cov) <= 0:
        return None
    side = principal_side(centred, cov)
    if not (w[side].sum() > 0 and w[~side].sum() > 0):
        return None
    out = np.delete(resp, c, axis=1)
    return np.column_stack([out, r * side, r * ~side])


def _merge_columns(resp, a, b):
    out = resp.copy()
    out[:, a] += out[:, b]
    return np.delete(out, b, axis=1)


def candidate_starts(fit, pts, weights):
    """Deterministic starts at the same number of components, derived from ``fit``.

    - hard Lloyd iterations from the fitted means (the k-means optimum nearest to the
      mixture, a start EM often leaves for a better optimum);
    - for the ``N_MERGE_PAIRS`` pairs of components whose posteriors overlap most: the
      pair merged and re-split by deterministic 2-means on its points;
    - split-merge moves: such a pair merged while one of the ``N_SPLIT_COMPONENTS``
      largest components is cut across its principal axis.

    Yields
    ------
    name : str
    resp : ndarray of shape (n, k)
    """
    resp = fit.resp
    k = resp.shape[1]
    labels = _lloyd(pts, weights, fit.means)
    if labels is not None:
        yield "lloyd from the means", np.eye(k)[labels]
    if k < 2:
        return
    wr = resp * weights[:, None]
    overlap = wr.T @ resp
    overlap /= np.sqrt(np.outer(np.diag(overlap), np.diag(overlap)))
    pairs = [(overlap[a, b], a, b) for a in range(k) for b in range(a + 1, k)]
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    pairs = [(a, b) for _, a, b in pairs[:N_MERGE_PAIRS]]
    for a, b in pairs:
        joint = resp[:, a] + resp[:, b]
        members = np.flatnonzero(joint > 0.5)
        if members.size < 2:
            continue
        side = two_means(pts[members], weights[members])
        if side is None:
            continue
        start = resp.copy()
        start[:, [a, b]] = 0.0
        start[members[side], a] = 1.0
        start[members[~side], b] = 1.0
        start[members] /= start[members].sum(axis=1, keepdims=True)
        yield f"components {a} and {b} merged and re-split", start
    # the largest components are the ones a split most often improves
    worst = np.argsort(-wr.sum(axis=0), kind="stable")[:N_SPLIT_COMPONENTS]
    for a, b in pairs:
        for c in worst:
            if c in (a, b) or k < 3:
                continue
            split = _split_column(resp, c, pts, weights)
            if split is None:
                continue
            # the split removed column c, shifting the columns after it by one
            a2, b2 = (a - (a > c), b - (b > c))
            yield (f"components {a} and {b} merged, {c} split",
                   _merge_columns(split, a2, b2))


def _lloyd(pts, weights, means, max_iter=100):
    """Weighted Lloyd iterations from ``means``; hard labels, or None if a cluster empties."""
    centers = means.copy()
    labels = None
    for _ in range(max_iter):
        d2 = ((pts * pts).sum(axis=1)[:, None] - 2.0 * pts @ centers.T
              + (centers * centers).sum(axis=1)[None])
        new = np.argmin(d2, axis=1)
        if labels is not None and np.array_equal(new, labels):
            break
        labels = new
        mass = np.bincount(labels, weights=weights, minlength=centers.shape[0])
        if np.any(mass <= 0):
            return None
        for f in range(pts.shape[1]):
            centers[:, f] = np.bincount(labels, weights=weights * pts[:, f],
                                        minlength=centers.shape[0])
        centers /= mass[:, None]
    return labels


def grow(fit, pts, weights, fit_mixture, criterion, log, *, min_size, max_components,
         refine_gain=0.0, max_steps=MAX_GROW_STEPS):
    """Add components while the criterion of the whole model improves.

    A divisive tree judges each split on its node alone; once the whole mixture is
    fitted, a component can still be better described by two (the tree's child saw a
    different neighbourhood). Each step cuts each of the ``N_SPLIT_COMPONENTS`` largest
    components across its principal axis, scores the starts by a short EM run, refits the
    best fully and keeps it when it lowers the criterion, every component still holds
    ``min_size`` points (hard assignment) and there are at most ``max_components``
    (None: no cap).

    The mixture the candidate competes with was refined (:func:`refine`); the candidate
    gets the same refinement before it is judged when it is within ``refine_gain`` of
    winning, the criterion that refinement gained for the mixture it competes with (0 when
    the leaves' start was already the best one found, and the refinement then runs only on
    a candidate that wins as it is).

    Returns
    -------
    fit : MixtureFit
    """
    crit = criterion(fit)
    for _ in range(max_steps):
        if max_components is not None and fit.n_components >= max_components:
            break
        sizes = (fit.resp * weights[:, None]).sum(axis=0)
        best = None
        for c in np.argsort(-sizes, kind="stable")[:N_SPLIT_COMPONENTS]:
            start = _split_column(fit.resp, c, pts, weights)
            if start is None:
                continue
            trial = fit_mixture(start, REFINE_EM_ITER)
            if best is None or trial.log_likelihood > best.log_likelihood:
                best = trial
        if best is None:
            break
        trial = fit_mixture(best.resp, None)
        trial_crit = criterion(trial)
        # one split alone can leave k + 1 components in a worse optimum than the refined
        # k it is compared with (digits PCA-30: 8 components lose to 7 unrefined, win
        # refined); the refinement is spent where it can change the decision
        if trial_crit - crit < refine_gain:
            trial = refine(trial, pts, weights, fit_mixture, lambda *args, **kwargs: None)
            trial_crit = criterion(trial)
        hard = np.bincount(np.argmax(trial.resp, axis=1), weights=weights,
                           minlength=trial.n_components)
        if not (trial_crit < crit and hard.min() >= min_size):
            break
        log(f"final mixture: {trial.n_components} components improve the criterion by "
            f"{crit - trial_crit:.4g}")
        fit, crit = trial, trial_crit
    return fit


def refine(fit, pts, weights, fit_mixture, log):
    """Keep the best likelihood over deterministic starts at the same number of components.

    Each round scores every start of :func:`candidate_starts` by a short EM run, refits
    the best one fully and keeps it when its log-likelihood beats the current one (by a
    relative ``REFINE_RTOL``); rounds repeat from the improved mixture, at most
    ``MAX_REFINE_ROUNDS`` times.

    Returns
    -------
    fit : MixtureFit
    """
    total = weights.sum()
    for _ in range(MAX_REFINE_ROUNDS):
        best = None
        for name, resp in candidate_starts(fit, pts, weights):
            trial = fit_mixture(resp, REFINE_EM_ITER)
            if best is None or trial.log_likelihood > best[0].log_likelihood:
                best = (trial, name)
        if best is None:
            break
        trial = fit_mixture(best[0].resp, None)
        gain = (trial.log_likelihood - fit.log_likelihood) / total
        if not gain > REFINE_RTOL * max(abs(fit.log_likelihood) / total, 1.0):
            break
        log(f"final mixture: start '{best[1]}' raises the mean log-likelihood by "
            f"{gain:.4g}")
        fit = trial
    return fit
