"""A float64 numpy forward of the LLaDA architecture (checked: python3 fwd.py reproduces fixtures/llada-tiny's logits)."""
import json, struct, numpy as np, sys
def load(folder):
    raw = open(folder + '/model.safetensors', 'rb').read(); n = struct.unpack('<Q', raw[:8])[0]
    h = json.loads(raw[8:8 + n]); body = raw[8 + n:]; W = {}
    for k, v in h.items():
        if k == '__metadata__': continue
        s, e = v['data_offsets']; dt = {'F32': np.float32, 'BF16': None, 'F16': np.float16}[v['dtype']]
        W[k] = np.frombuffer(body[s:e], dtype=dt).reshape(v['shape']).astype(np.float64)
    return W, json.load(open(folder + '/config.json'))
def rms(x, g, eps): return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * g
def rope(x, theta):  # x [T, H, hd], rotate_half convention
    T, H, hd = x.shape; half = hd // 2
    inv = 1.0 / theta ** (np.arange(0, hd, 2) / hd); ang = np.arange(T)[:, None] * inv[None]
    cos = np.concatenate([np.cos(ang)] * 2, -1)[:, None]; sin = np.concatenate([np.sin(ang)] * 2, -1)[:, None]
    rot = np.concatenate([-x[..., half:], x[..., :half]], -1); return x * cos + rot * sin
def forward(W, cfg, ids, want_attn=False):
    d, H = cfg['d_model'], cfg['n_heads']; hd = d // H; eps = cfg['rms_norm_eps']; th = cfg['rope_theta']
    p = 'model.transformer.'; x = W[p + 'wte.weight'][ids]; T = len(ids); attns = []
    for l in range(cfg['n_layers']):
        b = p + f'blocks.{l}.'; h = rms(x, W[b + 'attn_norm.weight'], eps)
        q = rope((h @ W[b + 'q_proj.weight'].T).reshape(T, H, hd), th); k = rope((h @ W[b + 'k_proj.weight'].T).reshape(T, H, hd), th)
        v = (h @ W[b + 'v_proj.weight'].T).reshape(T, H, hd)
        s = np.einsum('thd,shd->hts', q, k) / np.sqrt(hd); s -= s.max(-1, keepdims=True); a = np.exp(s); a /= a.sum(-1, keepdims=True)
        attns.append(a); o = np.einsum('hts,shd->thd', a, v).reshape(T, d); x = x + o @ W[b + 'attn_out.weight'].T
        h = rms(x, W[b + 'ff_norm.weight'], eps); g = h @ W[b + 'ff_proj.weight'].T; u = h @ W[b + 'up_proj.weight'].T
        x = x + ((g / (1 + np.exp(-g))) * u) @ W[b + 'ff_out.weight'].T
    x = rms(x, W[p + 'ln_f.weight'], eps); logits = x @ W[p + 'ff_out.weight'].T
    return (logits, attns) if want_attn else logits
if __name__ == '__main__':
    f = sys.argv[1] if len(sys.argv) > 1 else 'fixtures/llada-tiny'; W, cfg = load(f)
    ids = [int(t) for t in open(f + '/ids.txt').read().split(',')]
    exp = np.load(f + '/expected_logits.npy'); got = forward(W, cfg, ids)
    print(exp.shape, got.shape, np.abs(exp.reshape(got.shape) - got).max())
def load_ckpt(ckdir, cfg_folder):
    st = json.load(open(ckdir + '/trainer.json')); raw = open(ckdir + '/' + st['weights'], 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]; h = json.loads(raw[8:8 + n]); body = raw[8 + n:]; W = {}
    for k, v in h.items():
        if not k.startswith('param.'): continue
        s, e = v['data_offsets']; a = np.frombuffer(body[s:e], dtype=np.float32).reshape(v['shape']).astype(np.float64)
        name = k[len('param.'):]; W[name] = a.T if a.ndim == 2 and 'wte' not in name else a
    cfg = json.load(open(cfg_folder + '/config.json')); return W, cfg
