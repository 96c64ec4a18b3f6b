#!/usr/bin/env bash
# The mkq fine-tune on the issue's 200 seed-1234 prompts at 1,024 (the same files as docs/accuracy.md's tables): full
# cache for all five families, MaskKV at 5% (51 positions) for needle/multikey/vartrack. Calibrates first (the card's way).
set -uo pipefail
R=/work/runs/issue18; M=$R/mkq/s1/model; O=$R/mkq/eval1024; mkdir -p $O
MK=/work/main/maskkv
[[ -f $M/maskkv_profile.json ]] || $MK calibrate --model $M --data $R/mixed/eval512/calib.jsonl --gen-length 2 > $O/calibrate.log 2>&1
for t in needle multikey vartrack; do
  [[ -f $O/$t.csv ]] || $MK eval --model $M --data $R/mixed/eval1024/$t.jsonl --methods full,maskkv --budgets 51 \
    --gen-length 2 --block-length 2 --out $O/$t.csv > $O/$t.log 2>&1
done
for t in multivalue count; do
  [[ -f $O/$t.csv ]] || $MK eval --model $M --data $R/mixed/eval1024/$t.jsonl --methods full --budgets 51 \
    --gen-length 2 --block-length 2 --out $O/$t.csv > $O/$t.log 2>&1
done
echo done > $O/done
