#!/usr/bin/env bash
# (as run on 2026-11-29: it waited for tables.sh's first table, stopped it, and ran the rest in this order)
# v6's tables in the order the docs need them first (each step skips what exists; tables.sh can finish the rest)
P=/work/runs/issue18/path; R=/work/runs/issue18/mixed; MK=/work/runs/issue18/mk-82b0cac.sh; M=$P/v6/model; O=$P/v6/tables
while [[ ! -f $O/vartrack-path-1024.csv ]]; do sleep 5; done
pkill -f 'issue18/v4/tables.sh'; pkill -f 'after-v6-tables.sh'; sleep 1; pkill -f "BenchMain eval --model $M"; sleep 2
rm -f $O/needle-1024.csv $O/needle-1024-bytes.csv
mkdir -p $O/revote
$MK eval --model $M --data $P/vartrack-path-1024.jsonl --methods maskkv-revote --budgets 10,25,51,102 \
  --gen-length 8 --block-length 2 --out $O/revote/vartrack-path-1024.csv --predictions $O/revote/vartrack-path-1024.pred.jsonl > $O/revote/vartrack-path-1024.log 2>&1
for t in needle multikey; do
  $MK eval --model $M --data $R/eval1024/$t.jsonl --methods full,maskkv,snapkv,pyramidkv,adakv --budgets 10,25,51,102 \
    --kv-bytes 1%,2.5%,5%,10% --gen-length 2 --block-length 2 --out $O/$t-1024.csv --predictions $O/$t-1024.pred.jsonl > $O/$t-1024.log 2>&1
done
for t in multivalue count vartrack; do
  $MK eval --model $M --data $R/eval512/$t.jsonl --methods full,maskkv --budgets 5 --gen-length 2 --block-length 2 --out $O/$t-512.csv > $O/$t-512.log 2>&1
  $MK eval --model $M --data $R/eval1024/$t.jsonl --methods full,maskkv --budgets 10 --gen-length 2 --block-length 2 --out $O/$t-1024.csv > $O/$t-1024.log 2>&1
done
$MK eval --model $M --data $P/vartrack-path-2048.jsonl --methods full,maskkv --budgets 204 --gen-length 8 --block-length 2 --out $O/vartrack-path-2048.csv --predictions $O/vartrack-path-2048.pred.jsonl > $O/vartrack-path-2048.log 2>&1
for t in needle multikey; do
  $MK eval --model $M --data $R/eval2048/$t.jsonl --methods full,maskkv --budgets 204 --gen-length 2 --block-length 2 --out $O/$t-2048.csv > $O/$t-2048.log 2>&1
done
RO=$P/v6/refresh; mkdir -p $RO
$MK eval --model $M --data $P/vartrack-path-1024.jsonl --methods full,maskkv --budgets 51 --gen-length 8 --block-length 2 \
  --refresh dual --threshold 0 --out $RO/refresh-dual-0.csv --predictions $RO/dual-pred.jsonl > $RO/dual.log 2>&1
# then the rest: the 512 sweeps, the attention diagnostic, the other revote rows, elastic
M=$M O=$O MK=$MK MKR=$MK bash /work/main/docs/perf/issue18/v4/tables.sh > $P/v6-tables-rest.log 2>&1
$MK eval --model $M --data $P/vartrack-path-1024.jsonl --methods full,maskkv --budgets 51 --gen-length 8 --block-length 2 \
  --refresh elastic --threshold 0 --out $RO/refresh-elastic-0.csv > $RO/elastic.log 2>&1
echo done > $P/v6/ORDER-DONE
