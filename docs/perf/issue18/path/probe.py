"""Where a vartrack-path answer ends: P(EOS) at the slot after the last word, and P(",") after the others, with the
earlier words given and the later slots masked (as semi-autoregressive decoding meets them). Usage: probe.py MODEL DATA N"""
import json, sys, numpy as np
sys.path.insert(0, '/work/main/docs/perf/issue18/hops'); from fwd import load, forward
model, data, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
W, cfg = load(model); tok = json.load(open(model + '/tokenizer.json'))['model']['vocab']
EOS, MASK, COMMA = 609, 611, tok[',']
inv = {v: k for k, v in tok.items()}; inv[EOS] = '<eos>'; inv[MASK] = '<m>'
def enc(s): return [tok[w] for w in s.split()]
res = {'after_v': [], 'after_x': [], 'after_v_allmasked_tail': []}
for line in list(open(data))[:n]:
    d = json.loads(line); prompt = enc(d['context'] + ' ' + d['input']); ans = enc(d['answers'][0])
    words = [i for i, t in enumerate(ans) if t != COMMA]
    for wi in words:
        slots = ans[:wi + 1] + [MASK] * (8 - wi - 1)
        lg = forward(W, cfg, prompt + slots)[len(prompt) + wi + 1]
        p = np.exp(lg - lg.max()); p /= p.sum()
        last = wi == words[-1]
        want = EOS if last else COMMA
        res['after_v' if last else 'after_x'].append((p[want], inv[int(p.argmax())], int(p.argmax()) == want))
for k, v in res.items():
    if v: print(k, 'n', len(v), 'mean p(correct)', round(float(np.mean([r[0] for r in v])), 3), 'argmax right', sum(r[2] for r in v), [r[1] for r in v][:12])
