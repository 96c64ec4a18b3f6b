"""At a path's stop state (the words so far, the rest masked), with the full prompt: each response row's attention
mass on the statement the last word names ("var X = Y"), per layer and head. The cases are where v4 stopped short
under maskkv-revote with block length 2 on the seed-1234 prompts. Usage: probe_rows.py MODEL DATA"""
import json, os, sys, numpy as np
sys.argv = [sys.argv[0], sys.argv[1], sys.argv[2], '0', '51']
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'probe_revote.py')).read().split('for line in list(open(data))')[0])
cases = [(1, 'x58 , x20'), (3, 'x8 , x43'), (4, 'x63 , x41 , x7')]
lines = list(open(data))
for idx, sofar in cases:
    dd = json.loads(lines[idx]); ctx = (dd['context'] + ' ' + dd['input']).split(); prompt = [tok[w] for w in ctx]
    P = len(prompt); last = sofar.split()[-1]
    st = [i for i, t in enumerate(ctx) if t == 'var' and i + 3 < len(ctx) and ctx[i + 1] == last and ctx[i + 2] == '='][0]
    span = list(range(st, st + 4))
    _, PK, PV, _ = first_step(prompt, [MASK] * 8)
    resp = [tok[w] for w in sofar.split()]; slot = len(resp); resp = resp + [MASK] * (8 - slot)
    x = W[p + 'wte.weight'][resp]; pos = np.arange(P, P + 8)
    print(f"record {idx}: {sofar!r}, stop slot {slot}; rows 0..7 = {[inv[t] for t in resp]}")
    for l in range(L):
        q, k, v = qkv(x, l, pos); K = np.concatenate([PK[l], k]); V = np.concatenate([PV[l], v])
        a = softmax(np.einsum('thd,shd->hts', q, K) / np.sqrt(hd))
        mass = a[:, :, span].sum(-1)  # [H, rows]
        print(f"  layer {l}: mass on 'var {last} = ..' per head (rows 0..7): " + ' | '.join(
            ' '.join(f"{mass[h, r]:.2f}" for r in range(8)) for h in range(H)))
        x = rest(x, np.einsum('hts,shd->thd', a, V), l)
