"""Attention of each head on a vartrack-1hop prompt: the hop (asked statement's source -> its root), the mask rows' weight on
the asked statement's source and on the right and the other chain root, averaged over the prompts; and accuracy."""
import json, sys, numpy as np
from fwd import load, load_ckpt, forward
# usage: diag.py MODEL_FOLDER DATA.jsonl, or diag.py CHECKPOINT_FOLDER DATA.jsonl MODEL_FOLDER_OF_THE_SAME_SHAPE
folder, data = sys.argv[1], sys.argv[2]
shape = sys.argv[3] if len(sys.argv) > 3 else folder
W, cfg = load_ckpt(folder, shape) if len(sys.argv) > 3 else load(folder)
vocab = json.load(open(shape + '/tokenizer.json'))['model']['vocab']; inv = {v: k for k, v in vocab.items()}
mask = cfg['mask_token_id']; L = cfg['n_layers']; H = cfg['n_heads']
stats = {}
right = 0; n = 0
for line in open(data):
    r = json.loads(line); words = (r['context'] + ' ' + r['input']).split()
    ids = [vocab[w] for w in words] + [mask, mask]; T = len(ids)
    logits, attns = forward(W, cfg, ids, True)
    pred = inv[int(logits[T - 2].argmax())]; right += pred == r['answers'][0]; n += 1
    # statements
    st = {words[i + 1]: i for i in range(len(words) - 4) if words[i] == 'var' and words[i + 2] == '='}
    q = words[-2]; src_pos = st[q] + 3; src = words[src_pos]; root_pos = st[src] + 3
    other = [st[v] + 3 for v in st if words[st[v] + 3].startswith('v') and st[v] + 3 != root_pos][0]
    tgt = st[q] + 1  # the asked variable's own statement target token
    for l in range(1, L):
        for h in range(H):
            # from the asked statement's source token: weight on the source's own statement value (the hop target)
            stats.setdefault(('hop', l, h), []).append(attns[l][h, src_pos, root_pos])
            # from the first mask slot: weight on the asked statement's source token (binding target) and on the root
            stats.setdefault(('mask->src', l, h), []).append(attns[l][h, T - 2, src_pos])
            stats.setdefault(('mask->root', l, h), []).append(attns[l][h, T - 2, root_pos])
            stats.setdefault(('mask->other-root', l, h), []).append(attns[l][h, T - 2, other])
            stats.setdefault(('hop-other', l, h), []).append(attns[l][h, src_pos, other])
print(f'accuracy {right}/{n}')
kinds = sorted({k[0] for k in stats})
print('layer.head ' + ' '.join(f'{k:>16}' for k in kinds))
for l in range(1, L):
    for h in range(H):
        print(f'{l}.{h}        ' + ' '.join(f'{np.mean(stats[(k, l, h)]):16.3f}' for k in kinds))
