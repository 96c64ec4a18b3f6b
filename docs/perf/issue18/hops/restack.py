"""Write a model folder whose layers are the given source layers of another (e.g. 0,1,1,2,3 duplicates layer 1)."""
import json, shutil, struct, sys, os
src, dst, order = sys.argv[1], sys.argv[2], [int(x) for x in sys.argv[3].split(',')]
raw = open(os.path.join(src, 'model.safetensors'), 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]; head = json.loads(raw[8:8 + n]); body = raw[8 + n:]
tensors = {}
for k, v in head.items():
    if k == '__metadata__': continue
    s, e = v['data_offsets']; tensors[k] = (v['dtype'], v['shape'], body[s:e])
out = {}
for k, t in tensors.items():
    if '.blocks.' not in k: out[k] = t
for new, old in enumerate(order):
    for k, t in tensors.items():
        p = f'model.transformer.blocks.{old}.'
        if k.startswith(p): out[f'model.transformer.blocks.{new}.' + k[len(p):]] = t
hdr, data, off = {'__metadata__': head.get('__metadata__', {})}, bytearray(), 0
for k in sorted(out):
    dt, sh, b = out[k]; hdr[k] = {'dtype': dt, 'shape': sh, 'data_offsets': [off, off + len(b)]}; data += b; off += len(b)
hb = json.dumps(hdr).encode(); hb += b' ' * ((8 - len(hb) % 8) % 8)
os.makedirs(dst, exist_ok=True)
open(os.path.join(dst, 'model.safetensors'), 'wb').write(struct.pack('<Q', len(hb)) + hb + bytes(data))
cfg = json.load(open(os.path.join(src, 'config.json'))); cfg['n_layers'] = len(order)
json.dump(cfg, open(os.path.join(dst, 'config.json'), 'w'), indent=2)
shutil.copy(os.path.join(src, 'tokenizer.json'), dst)
