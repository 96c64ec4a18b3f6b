"""Simulates maskkv-revote (uniform heads, B per head) in numpy on vartrack-path prompts: prompt K/V frozen at the
first step, response rows attend per head over the kept prompt positions; at each later block's first step the
decoded rows and the block's masks vote again. Reports the answer and, where the path stops short, P(',') vs P(EOS)
at the stop under several kept sets. Usage: probe_revote.py MODEL DATA N B"""
import json, sys, numpy as np
import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'hops')); from fwd import load, rms
model, data, n, B = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
W, cfg = load(model); tok = json.load(open(model + '/tokenizer.json'))['model']['vocab']
EOS, MASK, COMMA = 609, 611, tok[',']
inv = {v: k for k, v in tok.items()}; inv[EOS] = '<eos>'; inv[MASK] = '<m>'
d, H, L = cfg['d_model'], cfg['n_heads'], cfg['n_layers']; hd = d // H; eps = cfg['rms_norm_eps']; th = cfg['rope_theta']
p = 'model.transformer.'
def rope_at(x, pos):
    half = hd // 2; inv_f = 1.0 / th ** (np.arange(0, hd, 2) / hd); ang = np.asarray(pos)[:, None] * inv_f[None]
    cos = np.concatenate([np.cos(ang)] * 2, -1)[:, None]; sin = np.concatenate([np.sin(ang)] * 2, -1)[:, None]
    rot = np.concatenate([-x[..., half:], x[..., :half]], -1); return x * cos + rot * sin
def qkv(x, l, pos):
    b = p + f'blocks.{l}.'; h = rms(x, W[b + 'attn_norm.weight'], eps); T = len(pos)
    q = rope_at((h @ W[b + 'q_proj.weight'].T).reshape(T, H, hd), pos)
    k = rope_at((h @ W[b + 'k_proj.weight'].T).reshape(T, H, hd), pos)
    v = (h @ W[b + 'v_proj.weight'].T).reshape(T, H, hd); return q, k, v
def rest(x, o, l):
    b = p + f'blocks.{l}.'; x = x + o.reshape(len(x), d) @ W[b + 'attn_out.weight'].T
    h = rms(x, W[b + 'ff_norm.weight'], eps); g = h @ W[b + 'ff_proj.weight'].T; u = h @ W[b + 'up_proj.weight'].T
    return x + ((g / (1 + np.exp(-g))) * u) @ W[b + 'ff_out.weight'].T
def softmax(s): s = s - s.max(-1, keepdims=True); a = np.exp(s); return a / a.sum(-1, keepdims=True)
def logits(x): return rms(x, W[p + 'ln_f.weight'], eps) @ W[p + 'ff_out.weight'].T
def first_step(prompt, resp):
    """Full forward; returns response logits, frozen prompt K/V per layer, and the first vote (all masks)."""
    ids = prompt + resp; P = len(prompt); T = len(ids); x = W[p + 'wte.weight'][ids]; PK, PV, kept = [], [], []
    for l in range(L):
        q, k, v = qkv(x, l, np.arange(T)); a = softmax(np.einsum('thd,shd->hts', q, k) / np.sqrt(hd))
        PK.append(k[:P]); PV.append(v[:P]); kept.append(vote(a[:, P:, :P]))
        x = rest(x, np.einsum('hts,shd->thd', a, v), l)
    return logits(x[P:]), PK, PV, kept
def vote(a):  # a [H, voters, P]: summed over voters, top-B per head
    s = a.sum(1); return [np.sort(np.argsort(-s[h], kind='stable')[:B]) for h in range(H)]
def resp_step(PK, PV, P, resp, kept, voters=None):
    """Response rows attend over kept prompt keys (per head) + response rows; voters (row indices) re-vote first."""
    R = len(resp); x = W[p + 'wte.weight'][resp]; pos = np.arange(P, P + R); kept = list(kept)
    for l in range(L):
        q, k, v = qkv(x, l, pos); K = np.concatenate([PK[l], k]); V = np.concatenate([PV[l], v])
        s = np.einsum('thd,shd->hts', q, K) / np.sqrt(hd)
        if voters is not None:
            kept[l] = vote(softmax(s)[:, voters, :P])
        m = np.full((H, 1, P + R), -1e30); m[:, :, P:] = 0
        for h in range(H): m[h, 0, kept[l][h]] = 0
        a = softmax(s + m); x = rest(x, np.einsum('hts,shd->thd', a, V), l)
    return logits(x), kept
def decode(prompt, revote=True, full=False):
    resp = [MASK] * 8; P = len(prompt); lg, PK, PV, kept = first_step(prompt, resp); trace = []
    allkept = [[np.arange(P)] * H for _ in range(L)]
    for b in range(4):
        for s in range(2):
            if b == 0 and s == 0: pass
            elif full: lg, _ = resp_step(PK, PV, P, resp, allkept)
            elif s == 0 and revote: lg, kept = resp_step(PK, PV, P, resp, kept, voters=list(range(0, 2 * b + 2)))
            else: lg, _ = resp_step(PK, PV, P, resp, kept)
            block = [i for i in range(2 * b, 2 * b + 2) if resp[i] == MASK]
            if not block: continue
            pr = softmax(lg[block]); best = max(range(len(block)), key=lambda j: pr[j].max())
            i = block[best]; resp[i] = int(pr[best].argmax()); trace.append((i, inv[resp[i]], kept))
        if EOS in resp: break
    words = []
    for t in resp:
        if t in (EOS, MASK): break
        words.append(inv[t])
    return ' '.join(words), PK, PV, trace
for line in list(open(data))[:n]:
    dd = json.loads(line); ctx = (dd['context'] + ' ' + dd['input']).split(); prompt = [tok[w] for w in ctx]
    gold = dd['answers'][0]
    full, _, _, _ = decode(prompt, full=True); once, _, _, _ = decode(prompt, revote=False)
    rv, PK, PV, trace = decode(prompt)
    bind = {ctx[i + 1]: (i, ctx[i + 3]) for i, t in enumerate(ctx) if t == 'var' and i + 3 < len(ctx) and ctx[i + 2] == '='}
    print(f"gold {gold!r:28} full {full!r:28} once {once!r:28} revote {rv!r}")
    gw = gold.replace(',', ' ').split(); rw = rv.replace(',', ' ').split()
    if len(rw) < len(gw) and rw == gw[:len(rw)]:
        last = rw[-1]; st = bind[last][0]; span = list(range(st, st + 4))  # "var X = Y"
        P = len(prompt)
        # the state at the stop: the words so far, the slot after the last word masked, later slots masked
        resp = [tok[w] for w in rv.split()]; slot = len(resp); resp = resp + [MASK] * (8 - len(resp))
        bstart = (slot // 2) * 2; blockvoters = list(range(0, bstart + 2))
        kept_b = [k for (_, _, k) in trace if True][-1]
        _, kept_b = resp_step(PK, PV, P, [t if i < bstart else MASK for i, t in enumerate(resp)], kept_b, voters=blockvoters)
        out = {}
        for name, ks, vot in [('full', [[np.arange(P)] * H for _ in range(L)], None), ('block-start vote', kept_b, None),
                              ('vote with word known', kept_b, list(range(0, slot + 1)))]:
            lg, kk = resp_step(PK, PV, P, resp, ks, voters=vot); pr = softmax(lg[slot])
            cover = [[int(sum(np.isin(span, kk[l][h]))) for h in range(H)] for l in range(L)]
            out[name] = (round(float(pr[COMMA]), 3), round(float(pr[EOS]), 3), cover)
        for k, v in out.items(): print(f"   stop after {last}: {k:22} P(,)={v[0]} P(eos)={v[1]} 'var {last} = ..' tokens kept per layer/head {v[2]}")
