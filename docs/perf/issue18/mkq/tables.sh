#!/usr/bin/env bash
# The issue's full tables for the mkq candidate (seed-1234 prompts, 200 each): needle/multikey/vartrack at 1,024 then
# 512, five methods at 1/2.5/5/10% at equal budget and equal bytes; multivalue/count full+maskkv at 1%; attention
# diagnostic at 512. Same commands as mixed/eval-ft200.sh, eval-ft-rest.sh, eval-ft-ao.sh.
set -uo pipefail
R=/work/runs/issue18/mixed; MK=/work/runs/issue18/maskkv-2de5c1b.sh; M=/work/runs/issue18/mkq/s1/model
O=/work/runs/issue18/mkq/tables; mkdir -p $O
for t in needle multikey vartrack; do
  [[ -f $O/$t-1024.csv ]] || nice -n 5 $MK eval --model $M --data $R/eval1024/$t.jsonl \
    --methods full,maskkv,snapkv,pyramidkv,adakv --budgets 10,25,51,102 --kv-bytes 1%,2.5%,5%,10% \
    --gen-length 2 --block-length 2 --out $O/$t-1024.csv > $O/$t-1024.log 2>&1
done
for t in needle multikey vartrack; do
  [[ -f $O/$t-512.csv ]] || nice -n 5 $MK eval --model $M --data $R/eval512/$t.jsonl \
    --methods full,maskkv,snapkv,pyramidkv,adakv --budgets 5,12,25,51 --kv-bytes 1%,2.5%,5%,10% \
    --gen-length 2 --block-length 2 --out $O/$t-512.csv > $O/$t-512.log 2>&1
done
for t in multivalue count; do
  [[ -f $O/$t-512.csv ]] || nice -n 5 $MK eval --model $M --data $R/eval512/$t.jsonl --methods full,maskkv --budgets 5 \
    --gen-length 2 --block-length 2 --out $O/$t-512.csv > $O/$t-512.log 2>&1
  [[ -f $O/$t-1024.csv ]] || nice -n 5 $MK eval --model $M --data $R/eval1024/$t.jsonl --methods full,maskkv --budgets 10 \
    --gen-length 2 --block-length 2 --out $O/$t-1024.csv > $O/$t-1024.log 2>&1
done
for t in needle multikey; do
  [[ -f $O/ao-$t-512.csv ]] || nice -n 5 $MK attention-overlap --model $M --data $R/eval512/$t.jsonl \
    --budget 5,10,26,51 --gen-length 2 --out $O/ao-$t-512.csv > $O/ao-$t-512.txt 2>&1
done
echo "tables done $(date -u +%FT%TZ)" > $O/done
