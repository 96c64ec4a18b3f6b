"""Markdown tables of a candidate's table runs (v4/tables.sh, mkq/tables.sh): every method for the families named, full
cache and MaskKV at 1% for the others found, zero-shot 2,048 where run.
Usage: tables.py TABLES_DIR [FAMILY ...]   (v4: the default needle multikey vartrack-path; v3: needle multikey vartrack)"""
import csv, os, sys
O = sys.argv[1] if len(sys.argv) > 1 else '/work/runs/issue18/path/v4/tables'
shares = ['1%', '2.5%', '5%', '10%']
B = {512: ['5', '12', '25', '51'], 1024: ['10', '25', '51', '102']}
methods = ['maskkv', 'snapkv', 'pyramidkv', 'adakv']
full_tables = sys.argv[2:] or ['needle', 'multikey', 'vartrack-path']
def have(t, L): return os.path.exists(f'{O}/{t}-{L}.csv')
def load(t, L):
    b = {(r['method'], r['budget']): r for r in csv.DictReader(open(f'{O}/{t}-{L}.csv'))}
    y = {(r['method'], r['target']): r for r in csv.DictReader(open(f'{O}/{t}-{L}-bytes.csv'))} if os.path.exists(f'{O}/{t}-{L}-bytes.csv') else {}
    return b, y
def acc(r): return 100 * float(r['accuracy'])
print('## at a glance')
print('| family | 512: full | 512: maskkv 1% | 1,024: full | 1,024: maskkv 1% | 2,048 (40 ex.): full / maskkv 10% |')
print('|---|---|---|---|---|---|')
for t in full_tables + [f for f in ['multivalue', 'vartrack', 'count'] if f not in full_tables]:
    cells = []
    for L in (512, 1024):
        if not have(t, L):
            cells += ['—', '—']; continue  # not run (yet): the script skips what exists, so a rerun fills it in
        b, _ = load(t, L)
        cells += [f"{acc(b[('full','')]):.1f}", f"{acc(b[('maskkv', B[L][0])]):.1f}"]
    if have(t, 2048):
        b, _ = load(t, 2048); cells.append(f"{acc(b[('full','')]):.1f} / {acc(b[('maskkv','204')]):.1f}")
    else:
        cells.append('—')
    print(f'| {t} | ' + ' | '.join(cells) + ' |')
for L in (1024, 512):
    for t in [t for t in full_tables if have(t, L)]:
        b, y = load(t, L)
        full = acc(b[('full', '')])
        print(f'\n### {t} at {L} tokens (full cache {full:.1f}%)\n')
        print('| method | ' + ' | '.join(f'{s}: B = {bb} | ≤ {s} bytes' for s, bb in zip(shares, B[L])) + ' |')
        print('|---|' + '---|' * 8)
        for m in methods:
            cells = []
            for s, bb in zip(shares, B[L]):
                cells.append(f"{acc(b[(m,bb)]):.1f}")
                yy = y[(m, s)]
                cells.append(f"{acc(yy):.1f} (B̄ {float(yy['budget']):.1f})")
            name = f'**{m}**' if m == 'maskkv' else m
            print(f'| {name} | ' + ' | '.join(cells) + ' |')
print(f'\n## mean retention over {", ".join(full_tables)} (equal budget / equal bytes)')
print('| method | 512: 1% | 2.5% | 5% | 10% | 1,024: 1% | 2.5% | 5% | 10% |')
print('|---|---|---|---|---|---|---|---|---|')
for m in methods:
    cells = []
    for L in (512, 1024):
        for s, bb in zip(shares, B[L]):
            if not all(have(t, L) for t in full_tables):
                cells.append('—'); continue
            rb, ry = [], []
            for t in full_tables:
                b, y = load(t, L); full = acc(b[('full', '')])
                rb.append(acc(b[(m, bb)]) / full * 100); ry.append(acc(y[(m, s)]) / full * 100)
            cells.append(f'{sum(rb)/len(rb):.1f} / {sum(ry)/len(ry):.1f}')
    name = f'**{m}**' if m == 'maskkv' else m
    print(f'| {name} | ' + ' | '.join(cells) + ' |')
print('\n## README rows')
for L in (512, 1024):
    for t in [t for t in full_tables if have(t, L)]:
        b, _ = load(t, L); full = acc(b[('full', '')])
        Ls = '1,024' if L == 1024 else '512'
        print(f"| {t}, {Ls} tokens ({full:.1f}%) | maskkv | " + ' | '.join(f"{acc(b[('maskkv',bb)]):.1f}%" for bb in B[L]) + ' |')
        print('| | pyramidkv | ' + ' | '.join(f"{acc(b[('pyramidkv',bb)]):.1f}%" for bb in B[L]) + ' |')
