"""maskkv-revote's numpy simulation with different voter sets and block lengths, on the first N vartrack-path prompts.
Usage: probe_voters.py MODEL DATA N B"""
import json, os, sys, numpy as np
N = int(sys.argv[3]); B = int(sys.argv[4])
sys.argv = [sys.argv[0], sys.argv[1], sys.argv[2], '0', str(B)]
exec(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'probe_revote.py')).read().split('def decode(')[0])
def decode(prompt, voters, bl):
    resp = [MASK] * 8; P = len(prompt); lg, PK, PV, kept = first_step(prompt, resp)
    for b in range(8 // bl):
        for s in range(bl):
            if b == 0 and s == 0: pass
            elif s == 0: lg, kept = resp_step(PK, PV, P, resp, kept, voters=voters(b))
            else: lg, _ = resp_step(PK, PV, P, resp, kept)
            block = [i for i in range(bl * b, bl * b + bl) if resp[i] == MASK]
            if not block: continue
            pr = softmax(lg[block]); best = max(range(len(block)), key=lambda j: pr[j].max())
            i = block[best]; resp[i] = int(pr[best].argmax())
        if EOS in resp: break
    words = []
    for t in resp:
        if t in (EOS, MASK): break
        words.append(inv[t])
    return ' '.join(words)
variants = {'bl1 block': (lambda b: list(range(0, b + 1)), 1), 'bl1 block+next': (lambda b: list(range(0, min(8, b + 2))), 1),
            'bl1 block+next2': (lambda b: list(range(0, min(8, b + 3))), 1)}
score = {k: 0 for k in variants}
for line in list(open(data))[:N]:
    dd = json.loads(line); prompt = [tok[w] for w in (dd['context'] + ' ' + dd['input']).split()]
    out = {k: decode(prompt, f, bl) for k, (f, bl) in variants.items()}
    for k in out: score[k] += out[k] == dd['answers'][0]
    print(dd['answers'][0], out, flush=True)
print(score)
