"""First error of each vartrack-path prediction (wrong word, stopped short, ran long) and each slot's lookup accuracy
given the model's own previous word. Usage: erran.py DATA PREDICTIONS [METHOD [BUDGET]] (default: full)"""
import json,sys
from collections import Counter
data=[json.loads(l) for l in open(sys.argv[1])]
method=sys.argv[3] if len(sys.argv)>3 else 'full'; budget=int(sys.argv[4]) if len(sys.argv)>4 else None
preds=[p for p in map(json.loads,open(sys.argv[2])) if p['method']==method and (budget is None or p['budget']==budget)]
cat=Counter(); hop=Counter(); hopok=Counter()
for p in preds:
    d=data[int(p['id'].split('-')[-1])]
    toks=d['context'].split(); q=d['input']
    bind={toks[i+1]:toks[i+3] for i,t in enumerate(toks) if t=='var'}
    pw=[w for w in p['answer'].split() if w!=',']; gw=[w for w in d['answers'][0].split() if w!=',']
    # per-hop conditional accuracy: given previous predicted word, is next = bind[prev]?
    prev=q.split()[-2]
    for k,a in enumerate(pw):
        if prev not in bind: break
        hop[k]+=1; hopok[k]+= (a==bind[prev]); prev=a
    for k in range(max(len(pw),len(gw))):
        a=pw[k] if k<len(pw) else None; g=gw[k] if k<len(gw) else None
        if a!=g:
            c='short' if a is None else 'long' if g is None else 'wrong'
            cat[(k,c)]+=1; break
print('first error (index, kind):',sorted(cat.items()))
print('conditional lookup acc by slot:',{k:f'{hopok[k]}/{hop[k]}' for k in sorted(hop)})
